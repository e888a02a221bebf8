package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.data.testing.FakeLlmServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthCommandTest {
  @TempDir Path dir;

  @Test
  void generatesAndResumesAgainstALoopbackServer() throws IOException {
    Path personas = dir.resolve("personas.jsonl");
    Files.writeString(personas, "{\"persona\": \"A beekeeper in Wales.\"}\n{\"persona\": \"A night-shift nurse.\"}\n"
        + "{\"persona\": \"A tax lawyer.\"}\n");
    Path out = dir.resolve("out/synth.jsonl");
    Path report = dir.resolve("report.json");
    try (FakeLlmServer server = FakeLlmServer.model()) {
      String[] args = {"synth", "--endpoint", server.endpoint().toString(), "--model", "fake", "--output",
          out.toString(), "--personas", personas.toString(), "--task-types", "short-long,sts",
          "--tasks-per-persona", "2", "--examples-per-task", "2", "--personas-limit", "2", "--concurrency", "3",
          "--timeout-s", "5", "--seed", "3", "--report", report.toString()};
      assertEquals(0, KalmCli.run(args));
      assertEquals(2 * 2 * 2 * 2 + 2 * 2, server.callCount());
      List<String> lines = Files.readAllLines(out);
      assertEquals(16, lines.size());
      JsonObject first = JsonParser.parseString(lines.get(0)).getAsJsonObject();
      assertTrue(first.has("query") && first.has("pos") && first.has("neg") && first.has("synth_key"), lines.get(0));
      JsonObject r = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
      assertEquals(16, r.get("examples_written").getAsInt());
      assertTrue(r.get("complete").getAsBoolean());
      assertEquals(20, r.getAsJsonObject("llm").get("requests").getAsInt());

      // Same arguments again: everything is present, no request is sent.
      PrintStream saved = System.out;
      ByteArrayOutputStream stdout = new ByteArrayOutputStream();
      System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
      try {
        assertEquals(0, KalmCli.run(args));
      } finally {
        System.setOut(saved);
      }
      assertEquals(20, server.callCount());
      assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("0 examples written, 16 of 16 planned present"),
          stdout.toString(StandardCharsets.UTF_8));
    }
  }

  /** A real kill -9 of a CLI process in the middle of a run, then a rerun: same lines as an uninterrupted run. */
  @Test
  void resumesAfterAKilledProcess() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.start(c -> FakeLlmServer.Reply.content(FakeLlmServer.modelReply(c))
        .withDelay(25))) {
      Path whole = dir.resolve("whole.jsonl");
      Path killed = dir.resolve("killed.jsonl");
      java.util.function.Function<Path, List<String>> args = out -> List.of("synth", "--endpoint",
          server.endpoint().toString(), "--model", "fake", "--output", out.toString(), "--task-types", "long-long,bitext",
          "--tasks-per-persona", "2", "--examples-per-task", "4", "--personas-limit", "2", "--concurrency", "2",
          "--timeout-s", "10");
      assertEquals(0, KalmCli.run(args.apply(whole).toArray(String[]::new)));
      List<String> command = new java.util.ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), KalmCli.class.getName()));
      command.addAll(args.apply(killed));
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("child.log").toFile()).start();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (p.isAlive() && System.nanoTime() < deadline
          && (!Files.exists(killed) || Files.readAllLines(killed).size() < 8)) {
        Thread.sleep(5);
      }
      assertTrue(p.isAlive(), "the child finished before it could be killed: " + Files.readString(dir.resolve("child.log")));
      p.destroyForcibly().waitFor();
      int before = Files.readAllLines(killed).size();
      assertTrue(before >= 8 && before < 32, "lines at kill: " + before);
      assertEquals(0, KalmCli.run(args.apply(killed).toArray(String[]::new)));
      assertEquals(new java.util.HashSet<>(Files.readAllLines(whole)), new java.util.HashSet<>(Files.readAllLines(killed)));
      assertEquals(32, Files.readAllLines(killed).size());
    }
  }

  @Test
  void exitsNonZeroWithASummaryWhenFewerExamplesThanPlannedAreWritten() throws IOException {
    // Generation replies alternate between valid and not JSON; with no re-requests about half are skipped.
    FakeLlmServer.Script script = c -> c.brainstorm() || c.number() % 2 == 0
        ? FakeLlmServer.Reply.content(FakeLlmServer.modelReply(c)) : FakeLlmServer.Reply.content("not json");
    Path report = dir.resolve("partial.json");
    String[] partial = {"synth", "--endpoint", "", "--model", "fake", "--output", dir.resolve("partial.jsonl").toString(),
        "--task-types", "sts", "--tasks-per-persona", "2", "--examples-per-task", "4", "--personas-limit", "1",
        "--concurrency", "1", "--invalid-retries", "0", "--timeout-s", "5", "--report", report.toString()};
    try (FakeLlmServer server = FakeLlmServer.start(script)) {
      partial[2] = server.endpoint().toString();
      String err = stderrOf(() -> assertEquals(1, KalmCli.run(partial)));
      JsonObject r = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
      long written = r.get("examples_written").getAsLong();
      assertTrue(written > 0 && written < 8, "written: " + written);
      assertTrue(err.contains("kalm synth: incomplete: " + written + " of 8 planned examples present (" + written
          + " written by this run, " + (8 - written) + " skipped); rerun with the same arguments"), err);
      assertTrue(err.contains("examples: " + written + " written"), err);
    }
    // Nothing valid at all: zero written is a failure too.
    try (FakeLlmServer server = FakeLlmServer.start(c -> FakeLlmServer.Reply.content("not json"))) {
      String[] none = partial.clone();
      none[2] = server.endpoint().toString();
      none[6] = dir.resolve("none.jsonl").toString();
      String err = stderrOf(() -> assertEquals(1, KalmCli.run(none)));
      assertTrue(err.contains("incomplete: 0 of 8 planned examples present (0 written by this run, 8 skipped)"), err);
    }
  }

  private static String stderrOf(Runnable r) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(saved);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    saved.print(text);
    return text;
  }

  /**
   * A server that answers 429 with Retry-After: 3600 and echoes the Authorization header: the CLI (a real
   * process, with the key in its environment) announces the capped wait, stops within its call budget, and
   * never shows the key on standard output, standard error or in the report.
   */
  @Test
  void hostileServerEndsQuicklyAndNeverShowsTheKey() throws Exception {
    String key = "sk-cli-9d8e7f6a5b4c";
    try (FakeLlmServer server = FakeLlmServer.start(c -> FakeLlmServer.Reply.error(429,
        "rate limited for " + c.authorization()).withHeader("Retry-After", "3600"))) {
      Path report = dir.resolve("hostile.json");
      List<String> command = new java.util.ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), KalmCli.class.getName(),
          "synth", "--endpoint", server.endpoint().toString(), "--model", "fake", "--output",
          dir.resolve("hostile.jsonl").toString(), "--task-types", "sts", "--tasks-per-persona", "1",
          "--examples-per-task", "1", "--personas-limit", "1", "--concurrency", "1", "--max-retry-wait-s", "1",
          "--call-timeout-s", "2.5", "--report", report.toString()));
      Path log = dir.resolve("hostile.log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("KALM_LLM_API_KEY", key);
      long start = System.nanoTime();
      Process p = pb.start();
      assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "still running after 60 s");
      long ms = (System.nanoTime() - start) / 1_000_000;
      String out = Files.readString(log);
      assertEquals(1, p.exitValue(), out);
      assertTrue(ms < 30_000, "took " + ms + " ms: " + out);
      assertEquals("Bearer " + key, server.calls().get(0).authorization());
      assertTrue(out.contains("waiting 1 s before retry 1 of 5 (the server asked for Retry-After 3600 s, capped at 1 s"),
          out);
      assertTrue(out.contains("would pass the call's time budget of 2.5 s") && out.contains("rate limited for Bearer ***"),
          out);
      assertTrue(!out.contains(key) && !out.contains("sk-cli"), out);
      assertTrue(!Files.readString(report).contains(key), Files.readString(report));
    }
  }

  @Test
  void reportsServerErrorsAndBadArguments() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> FakeLlmServer.Reply.error(401, "bad key"))) {
      assertEquals(1, KalmCli.run("synth", "--endpoint", server.endpoint().toString(), "--model", "m", "--output",
          dir.resolve("x.jsonl").toString(), "--personas-limit", "1"));
    }
    assertEquals(1, KalmCli.run("synth", "--endpoint", "http://127.0.0.1:1/v1", "--model", "m", "--output",
        dir.resolve("y.jsonl").toString(), "--task-types", "short-long,qa"));
    assertEquals(2, KalmCli.run("synth", "--model", "m", "--output", dir.resolve("z.jsonl").toString()));
  }
}
