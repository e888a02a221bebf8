package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.train.TrainerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What the commands say to bad input, bad options and bad output paths, before any work starts. */
class BadInputCliTest {
  @TempDir static Path tmp;
  static Path model;
  static Path beir;

  @BeforeAll
  static void init() throws IOException {
    model = tmp.resolve("tiny");
    CliRunner.Result r = CliRunner.run("init", "--preset", "tiny", "--output", model.toString(), "--seed", "3");
    assertEquals(0, r.exitCode(), r.err());
    beir = tmp.resolve("beir");
    Files.createDirectories(beir.resolve("qrels"));
    Files.writeString(beir.resolve("corpus.jsonl"), "{\"_id\":\"d1\",\"text\":\"ls lists files\"}\n"
        + "{\"_id\":\"d2\",\"text\":\"cp copies files\"}\n");
    Files.writeString(beir.resolve("queries.jsonl"), "{\"_id\":\"q1\",\"text\":\"list files\"}\n");
    Files.writeString(beir.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
  }

  @Test
  void lenientJsonOnStandardInputIsRejectedWithTheLine() {
    CliRunner.Result r = CliRunner.runWithInput("{\"text\":\"fine\"}\n{\"text\": oops}\n", "embed", "--model",
        model.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().startsWith("kalm embed: stdin:2: invalid JSON at column 10 near 'oops}': not JSON"), r.err());
    r = CliRunner.runWithInput("{text:'x'}\n", "embed", "--model", model.toString());
    assertTrue(r.err().startsWith("kalm embed: stdin:1: invalid JSON at column 3"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void invalidUtf8OnStandardInputIsNamedWithItsLine() {
    byte[] input = "{\"text\":\"a\"}\n{\"text\":\"b\"}\n{\"text\":\"\u00ff\"}\n".getBytes(StandardCharsets.ISO_8859_1);
    CliRunner.Result r = CliRunner.runWithBytes(input, "embed", "--model", model.toString());
    assertEquals(1, r.exitCode());
    assertEquals("kalm embed: stdin:3: not valid UTF-8: byte 0xff at byte 10 of the line", r.err().strip());
  }

  @Test
  void emptyTextIsAnErrorNamingTheLine() throws IOException {
    CliRunner.Result r = CliRunner.runWithInput("{\"text\":\"a\"}\n{\"text\":\"\"}\n", "embed", "--model", model.toString());
    assertEquals(1, r.exitCode());
    assertEquals("kalm embed: stdin:2: field 'text': must not be empty (an empty text has no embedding)", r.err().strip());
    Path corpus = tmp.resolve("corpus-empty.jsonl");
    Files.writeString(corpus, "{\"id\":\"1\",\"text\":\"x\"}\n{\"id\":\"2\",\"text\":\"\"}\n");
    r = CliRunner.run("search", "--model", model.toString(), "--corpus", corpus.toString(), "files");
    assertEquals(1, r.exitCode());
    assertEquals("kalm search: " + corpus + ":2: field 'text': must not be empty (an empty document embeds to the"
        + " zero vector)", r.err().strip());
    Path data = tmp.resolve("with-empty-neg.jsonl");
    Files.writeString(data, "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"\"]}\n");
    r = CliRunner.run("mine", "--model", model.toString(), "--data", data.toString(), "--output",
        tmp.resolve("mined.jsonl").toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().strip().endsWith("kalm mine: " + data + ":1: field 'neg[0]': must not be empty"), r.err());
  }

  @Test
  void outputPathsAreCheckedBeforeAnyWork() throws IOException {
    Path folder = Files.createDirectories(tmp.resolve("a-folder"));
    CliRunner.Result r = CliRunner.runWithInput("{\"text\":\"a\"}\n", "embed", "--model", model.toString(),
        "--output", folder.toString());
    assertEquals(1, r.exitCode());
    assertEquals("kalm embed: --output " + folder + " is a folder; give a file path", r.err().strip());
    assertFalse(Files.exists(tmp.resolve("a-folder.partial")));
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    r = CliRunner.run("convert", "--beir", beir.toString(), "--output", file.resolve("out.jsonl").toString());
    assertEquals("kalm convert: --output " + file.resolve("out.jsonl") + ": cannot create its folder, " + file
        + " is not a folder", r.err().strip());
    r = CliRunner.run("train", "--model", model.toString(), "--data", beir.toString(), "--output", file.toString());
    assertEquals("kalm train: --output " + file + " is a file; give a folder path", r.err().strip());
    r = CliRunner.run("eval", "--model", model.toString(), "--task", "retrieval", "--data", beir.toString(),
        "--output", folder.toString());
    assertEquals("kalm eval: --output " + folder + " is a folder; give a file path", r.err().strip());
    r = CliRunner.run("mine", "--model", model.toString(), "--data", beir.toString(), "--output",
        tmp.resolve("m.jsonl").toString(), "--report", folder.toString());
    assertEquals("kalm mine: --report " + folder + " is a folder; give a file path", r.err().strip());
  }

  @Test
  void countOptionsThatMeanNothingAreRejected() {
    String[][] cases = {
        {"train", "--steps", "0"}, {"train", "--steps", "-1"}, {"train", "--epochs", "0"},
        {"embed", "--batch-tokens", "0"}, {"mine", "--batch-tokens", "0"}, {"eval", "--batch-tokens", "0"},
        {"train", "--warmup-steps", "-1"},
    };
    for (String[] c : cases) {
      CliRunner.Result r = c[0].equals("embed") ? CliRunner.run(c[0], c[1], c[2], "--model", model.toString())
          : c[0].equals("eval") ? CliRunner.run(c[0], c[1], c[2], "--model", "m", "--task", "sts", "--data", "x")
          : CliRunner.run(c[0], c[1], c[2], "--model", "m", "--data", "x", "--output", "y");
      assertEquals(2, r.exitCode(), String.join(" ", c) + ": " + r.err());
      String min = c[1].equals("--warmup-steps") ? "0" : "1";
      assertTrue(r.err().startsWith("Invalid value for option '" + c[1] + "': must be >= " + min + ", got '" + c[2]
          + "'"), r.err());
    }
  }

  @Test
  void warmupStepsZeroMeansNoWarmupAndUnsetMeansTheRatio() {
    TrainCommand zero = new TrainCommand();
    new CommandLine(zero).parseArgs("--model", model.toString(), "--data", "d", "--output", "o", "--warmup-steps", "0");
    assertEquals(0, zero.config().warmupSteps());
    TrainCommand unset = new TrainCommand();
    new CommandLine(unset).parseArgs("--model", model.toString(), "--data", "d", "--output", "o");
    assertEquals(TrainerConfig.WARMUP_FROM_RATIO, unset.config().warmupSteps());
    assertEquals(0.1, unset.config().warmupRatio());
  }

  @Test
  void evalWithoutUsableQrelsIsAnError() throws IOException {
    Path zero = tmp.resolve("beir-zero");
    Files.createDirectories(zero.resolve("qrels"));
    Files.copy(beir.resolve("corpus.jsonl"), zero.resolve("corpus.jsonl"));
    Files.copy(beir.resolve("queries.jsonl"), zero.resolve("queries.jsonl"));
    Files.writeString(zero.resolve("qrels/test.tsv"), "q1\td1\t0\nq1\td2\t0\n");
    CliRunner.Result r = CliRunner.run("eval", "--model", model.toString(), "--task", "retrieval", "--data",
        zero.toString());
    assertEquals(1, r.exitCode());
    assertEquals("kalm eval: " + zero.resolve("qrels/test.tsv") + ": no usable qrels: none of the 1 queries with"
        + " judgments has a relevance >= 1, so no retrieval score is defined", r.err().strip());
    Files.writeString(zero.resolve("qrels/test.tsv"), "q1\td9\t1\n");
    r = CliRunner.run("eval", "--model", model.toString(), "--task", "retrieval", "--data", zero.toString(),
        "--skip-unanswerable");
    assertEquals(1, r.exitCode());
    assertTrue(r.err().strip().endsWith("has a relevance >= 1 for a document in corpus.jsonl, so no retrieval score is"
        + " defined"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void outputFilesGetTheUmaskPermissionsOfANewFile() throws IOException {
    Path reference = Files.createFile(tmp.resolve("reference"));
    String expected = PosixFilePermissions.toString(Files.getPosixFilePermissions(reference));
    Path converted = tmp.resolve("perm-convert.jsonl");
    CliRunner.Result r = CliRunner.run("convert", "--beir", beir.toString(), "--output", converted.toString());
    assertEquals(0, r.exitCode(), r.err());
    Path result = tmp.resolve("perm-eval.json");
    r = CliRunner.run("eval", "--model", model.toString(), "--task", "retrieval", "--data", beir.toString(),
        "--output", result.toString());
    assertEquals(0, r.exitCode(), r.err());
    Path mined = tmp.resolve("perm-mine.jsonl");
    Path report = tmp.resolve("perm-mine-report.json");
    r = CliRunner.run("mine", "--model", model.toString(), "--data", converted.toString(), "--output",
        mined.toString(), "--report", report.toString(), "--no-filter");
    assertEquals(0, r.exitCode(), r.err());
    for (Path p : new Path[] {converted, result, mined, report}) {
      assertEquals(expected, PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
    }
  }
}
