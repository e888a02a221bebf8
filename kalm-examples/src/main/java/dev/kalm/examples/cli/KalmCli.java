package dev.kalm.examples.cli;

import dev.kalm.core.Versions;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (used by tests). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new KalmCli());
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
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
