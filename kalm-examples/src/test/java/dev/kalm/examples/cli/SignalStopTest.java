package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.testing.TestModels;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.example.TrainingExamples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real signals to a real {@code kalm} process: SIGTERM and SIGINT at several points of a training run (and
 * of the demo) never crash the JVM, exit with 143 / 130, leave a checkpoint and no partial output, and
 * {@code --resume} from that checkpoint gives exactly the losses of the uninterrupted run.
 *
 * <p>Before the cooperative stop, about one SIGTERM in four during training crashed the JVM inside
 * libtorch (SIGSEGV, exit 134, an {@code hs_err_pid*.log} in the working folder).
 */
class SignalStopTest {
  private static final int STEPS = 6;
  private static final Pattern STOP_LINE =
      Pattern.compile("kalm train: stopping after step (\\d+) \\((SIGTERM|SIGINT)\\); checkpoint in (\\S+); resume with: kalm train .*--resume \\3");

  @TempDir static Path dir;
  private static Path data;
  private static Map<Long, Double> uninterrupted;

  @BeforeAll
  static void uninterruptedRun() throws IOException {
    List<TrainingExample> examples = new ArrayList<>();
    String[] topics = {"files", "network", "printing", "archives", "users", "processes", "disks", "text"};
    for (int i = 0; i < 160; i++) {
      String topic = topics[i % topics.length];
      examples.add(TrainingExample.builder().query("how to manage " + topic + " number " + i)
          .positive("This manual page explains " + topic + " tool " + i + " and its options.")
          .negative("Unrelated text about cooking recipe " + i).task(i % 2 == 0 ? "1" : "8").build());
    }
    data = dir.resolve("train.jsonl");
    TrainingExamples.write(data, examples);
    Path log = dir.resolve("whole.log.jsonl");
    assertEquals(0, KalmCli.run(train(dir.resolve("whole"), log).toArray(String[]::new)));
    uninterrupted = losses(log);
    assertEquals(STEPS, uninterrupted.size());
  }

  private static List<String> train(Path output, Path log) {
    return new ArrayList<>(List.of("train", "--model", TestModels.micro().toString(), "--data", data.toString(),
        "--output", output.toString(), "--steps", String.valueOf(STEPS), "--batch-size", "8", "--hard-negatives",
        "1", "--max-length", "32", "--lr", "1e-3", "--seed", "3", "--log", log.toString()));
  }

  private static Map<Long, Double> losses(Path log) throws IOException {
    Map<Long, Double> out = new TreeMap<>();
    for (String line : Files.readAllLines(log)) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      if (o.has("loss")) {
        out.put(o.get("step").getAsLong(), o.get("loss").getAsDouble());
      }
    }
    return out;
  }

  /** Starts {@code kalm ARGS} as a separate JVM whose working folder is {@code cwd} (where hs_err files land). */
  private static Process start(Path cwd, List<String> args, Path stderr) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Dai.djl.offline=true", KalmCli.class.getName()));
    command.addAll(args);
    Files.createDirectories(cwd);
    return new ProcessBuilder(command).directory(cwd.toFile()).redirectOutput(cwd.resolve("stdout.txt").toFile())
        .redirectError(stderr.toFile()).start();
  }

  private static void signal(Process p, String name) throws IOException, InterruptedException {
    assertEquals(0, new ProcessBuilder("kill", "-" + name, String.valueOf(p.pid())).start().waitFor());
  }

  /** Waits until {@code file} has {@code lines} lines (the child's progress), or the child ends. */
  private static void awaitLines(Process p, Path file, int lines, Path stderr) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (p.isAlive() && System.nanoTime() < deadline && (!Files.exists(file) || Files.readAllLines(file).size() < lines)) {
      Thread.sleep(20);
    }
    assertTrue(p.isAlive(), "the child ended before it could be stopped:\n" + Files.readString(stderr));
  }

  private static void assertNoCrashAndNoPartials(Path cwd, int exit, String stderr) throws IOException {
    assertTrue(exit != 134 && !stderr.contains("SIGSEGV"), "the JVM crashed (exit " + exit + "):\n" + stderr);
    try (Stream<Path> all = Files.walk(cwd)) {
      List<String> bad = all.map(Path::toString)
          .filter(f -> f.contains("hs_err_pid") || f.endsWith(".partial") || f.endsWith(".tmp")).toList();
      assertEquals(List.of(), bad, "crash logs or partial outputs left");
    }
  }

  /** One stop: train, signal after {@code afterSteps} steps plus {@code extraMillis}, check, resume, compare. */
  private static void stopAndResume(String name, int expectedExit, int afterSteps, long extraMillis) throws Exception {
    Path cwd = dir.resolve(name);
    Path output = cwd.resolve("out");
    Path log = cwd.resolve("log.jsonl");
    Path stderr = dir.resolve(name + ".stderr.txt");
    Process p = start(cwd, train(output, log), stderr);
    awaitLines(p, log, afterSteps, stderr);
    Thread.sleep(extraMillis);
    signal(p, name.startsWith("int") ? "INT" : "TERM");
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the child did not stop");
    String err = Files.readString(stderr, StandardCharsets.UTF_8);
    assertNoCrashAndNoPartials(cwd, p.exitValue(), err);
    assertEquals(expectedExit, p.exitValue(), err);
    Matcher m = STOP_LINE.matcher(err);
    assertTrue(m.find(), "no stop line:\n" + err);
    long step = Long.parseLong(m.group(1));
    Path checkpoint = Path.of(m.group(3));
    assertTrue(step >= afterSteps && step < STEPS, "stopped after step " + step);
    assertTrue(Files.isRegularFile(checkpoint.resolve("trainer_state.json")), "no checkpoint in " + checkpoint);
    assertFalse(Files.exists(output.resolve("model.safetensors")), "a stopped run writes no final model");

    Path resumedLog = cwd.resolve("resumed.jsonl");
    List<String> resume = train(output, resumedLog);
    resume.addAll(List.of("--resume", checkpoint.toString()));
    assertEquals(0, KalmCli.run(resume.toArray(String[]::new)));
    Map<Long, Double> tail = losses(resumedLog);
    assertEquals(STEPS - step, tail.size());
    tail.forEach((s, loss) -> assertEquals(uninterrupted.get(s), loss, 1e-6 * Math.abs(loss),
        "step " + s + " after resuming from step " + step + ": " + tail + " vs " + uninterrupted));
  }

  @Test
  void sigtermAtSeveralPointsOfTrainingStopsCleanlyAndResumesExactly() throws Exception {
    stopAndResume("term-1", 143, 1, 0);
    stopAndResume("term-2", 143, 3, 70);
  }

  @Test
  void sigintStopsTrainingWithExitCode130() throws Exception {
    stopAndResume("int-1", 130, 2, 35);
  }

  @Test
  void sigtermDuringTheDemoLeavesOnlyFinishedStages() throws Exception {
    Path cwd = dir.resolve("demo");
    Path stderr = dir.resolve("demo.stderr.txt");
    Process p = start(cwd, List.of("demo", "--preset", "tiny", "--data", data.toString(), "--minutes", "3",
        "--output", cwd.resolve("kalm-demo").toString()), stderr);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (p.isAlive() && System.nanoTime() < deadline
        && !Files.readString(stderr, StandardCharsets.UTF_8).contains("train (warm-up)")) {
      Thread.sleep(20);
    }
    Thread.sleep(300);
    signal(p, "TERM");
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the demo did not stop");
    String err = Files.readString(stderr, StandardCharsets.UTF_8);
    assertNoCrashAndNoPartials(cwd, p.exitValue(), err);
    assertEquals(143, p.exitValue(), err);
    assertTrue(err.contains("kalm demo: stopped by SIGTERM"), err);
  }
}
