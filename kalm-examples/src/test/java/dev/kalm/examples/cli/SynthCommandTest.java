package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.data.synth.FakeLlmServer;
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
