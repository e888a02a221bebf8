package dev.kalm.examples.cli;

import dev.kalm.core.Versions;
import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code ./kalm} command line: each sub-command is a thin layer over the public API. */
@Command(
    name = "kalm",
    mixinStandardHelpOptions = true,
    versionProvider = KalmCli.Version.class,
    description = "KaLM-Embedding for the JVM: embed, mine, train, evaluate and synthesize.",
    commandListHeading = "%nCommands:%n",
    subcommands = {
      CommandLine.HelpCommand.class,
      InitCommand.class,
      EmbedCommand.class,
      BenchCommand.class,
      MineCommand.class,
      ConvertCommand.class,
      TrainCommand.class,
      SynthCommand.class,
      EvalCommand.class,
      DemoCommand.class,
      DemoDataCommand.class,
      SearchCommand.class,
    })
public final class KalmCli implements Runnable {

  /** Commands whose every output file appears only complete (a stop leaves none). */
  private static final Set<String> ATOMIC_OUTPUTS = Set.of("embed", "mine", "convert", "eval", "search", "init");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * Runs the CLI and exits. SIGTERM and SIGINT stop the work cooperatively at a step or batch boundary (see
   * {@link SignalStop}); the exit code is then 128 + the signal's number.
   */
  public static void main(String[] args) {
    SignalStop signals = SignalStop.install();
    int code = 1;
    try (StopSignal.Binding bound = signals.bind()) {
      code = run(args);
    } finally {
      signals.finished();
    }
    System.exit(signals.exitCode(code));
  }

  /** Runs the CLI and returns its exit code (used by tests). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new KalmCli());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof StoppedException) {
        // These commands move outputs into place only when complete: unless the message says otherwise, none was.
        String note = ATOMIC_OUTPUTS.contains(cmd.getCommandName()) && !e.getMessage().contains("written")
            ? "; no output was written" : "";
        cmd.getErr().println("kalm " + cmd.getCommandName() + ": stopped by " + SignalStop.cause() + ": " + e.getMessage()
            + note);
        return SignalStop.stoppedExitCode();
      }
      cmd.getErr().println("kalm " + cmd.getCommandName() + ": " + (e.getMessage() == null ? e : e.getMessage()));
      if (System.getenv("KALM_DEBUG") != null) {
        e.printStackTrace(cmd.getErr());
      }
      return 1;
    });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** {@code --version}: the artifact version, from {@link Versions#KALM} (the one source). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kalm " + Versions.KALM};
    }
  }
}
