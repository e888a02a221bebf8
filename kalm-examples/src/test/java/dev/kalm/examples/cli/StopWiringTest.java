package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command that writes output, stopped through the main thread's StopSignal (what SIGTERM does, see
 * {@link SignalStopTest} for real signals): a "stopped by" line, a non-zero exit, and no output, temporary or
 * partial file left behind.
 */
class StopWiringTest {
  @TempDir Path dir;
  private Path beir;

  @BeforeEach
  void data() throws IOException {
    beir = dir.resolve("beir");
    Files.createDirectories(beir.resolve("qrels"));
    Files.writeString(beir.resolve("corpus.jsonl"), "{\"_id\": \"d1\", \"title\": \"\", \"text\": \"ls lists files\"}\n"
        + "{\"_id\": \"d2\", \"title\": \"\", \"text\": \"ping checks the network\"}\n");
    Files.writeString(beir.resolve("queries.jsonl"), "{\"_id\": \"q1\", \"text\": \"list files\"}\n"
        + "{\"_id\": \"q2\", \"text\": \"network check\"}\n");
    Files.writeString(beir.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n");
    Files.writeString(dir.resolve("train.jsonl"), "{\"query\": \"list files\", \"pos\": [\"ls lists files\"], \"neg\": []}\n"
        + "{\"query\": \"network check\", \"pos\": [\"ping checks the network\"], \"neg\": []}\n");
    Files.writeString(dir.resolve("texts.jsonl"), "{\"text\": \"hello\"}\n{\"text\": \"world\"}\n");
  }

  private CliRunner.Result stopped(String... args) {
    StopSignal stop = StopSignal.create();
    stop.stop();
    try (StopSignal.Binding bound = stop.bind()) {
      return CliRunner.run(args);
    }
  }

  private void assertStoppedWithNothingLeft(CliRunner.Result r, String command, Path output) throws IOException {
    assertEquals(1, r.exitCode(), r.err());
    assertTrue(r.err().contains("kalm " + command + ": stopped by a stop request"), r.err());
    assertTrue(!Files.exists(output), output + " was written");
    try (Stream<Path> all = Files.walk(dir)) {
      List<String> stray = all.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".partial") || n.endsWith(".tmp") || n.startsWith(".")).toList();
      assertEquals(List.of(), stray, "temporary files left");
    }
  }

  @Test
  void embedMineConvertEvalAndSearchLeaveNothingBehind() throws IOException {
    String model = TestModels.micro().toString();
    Path embedded = dir.resolve("embedded.jsonl");
    CliRunner.Result r = stopped("embed", "--model", model, "--input", dir.resolve("texts.jsonl").toString(),
        "--output", embedded.toString());
    assertStoppedWithNothingLeft(r, "embed", embedded);
    assertTrue(r.err().contains("was not written"), r.err());

    Path mined = dir.resolve("mined.jsonl");
    assertStoppedWithNothingLeft(stopped("mine", "--model", model, "--data", dir.resolve("train.jsonl").toString(),
        "--output", mined.toString(), "--report", dir.resolve("mine-report.json").toString()), "mine", mined);
    assertTrue(!Files.exists(dir.resolve("mine-report.json")));

    Path converted = dir.resolve("converted.jsonl");
    assertStoppedWithNothingLeft(stopped("convert", "--beir", beir.toString(), "--output", converted.toString()),
        "convert", converted);

    Path scores = dir.resolve("scores.json");
    assertStoppedWithNothingLeft(stopped("eval", "--model", model, "--task", "retrieval", "--data", beir.toString(),
        "--output", scores.toString()), "eval", scores);

    Path index = dir.resolve("corpus.kalm-index");
    assertStoppedWithNothingLeft(stopped("search", "--model", model, "--corpus", beir.resolve("corpus.jsonl").toString(),
        "--index", index.toString(), "list files"), "search", index);
  }

  @Test
  void theResumeCommandQuotesWordsTheShellWouldSplit() {
    assertEquals("out/checkpoint-12", TrainCommand.shellQuoted("out/checkpoint-12"));
    assertEquals("'my data.jsonl'", TrainCommand.shellQuoted("my data.jsonl"));
    assertEquals("'it'\\''s'", TrainCommand.shellQuoted("it's"));
    assertEquals("''", TrainCommand.shellQuoted(""));
  }
}
