package dev.kalm.data.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.jsonl.JsonLinesException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleIoTest {
  @TempDir Path dir;

  @Test
  void readsFlagEmbeddingLayoutAndKeepsOtherFields() throws IOException {
    Path file = write("msmarco.jsonl",
        "{\"query\": \"q1\", \"pos\": [\"p1\"], \"neg\": [\"n1\", \"n2\"], \"id\": 5, \"meta\": {\"a\": [1, 2]}}",
        "",
        "{\"query\": \"q2\", \"pos\": \"p2\", \"task\": \"other\", \"instruction\": \"Find it\", \"pos_scores\": [0.5]}");
    List<TrainingExample> examples = ExampleReader.strict().readAll(file);
    assertEquals(2, examples.size());
    TrainingExample first = examples.get(0);
    assertEquals("msmarco", first.task());
    assertEquals(List.of("n1", "n2"), first.negatives());
    assertEquals("5", first.extras().get("id"));
    assertEquals("{\"a\":[1,2]}", first.extras().get("meta"));
    TrainingExample second = examples.get(1);
    assertEquals("other", second.task());
    assertEquals("Find it", second.instruction());
    assertEquals(List.of(0.5), second.posScores());
    assertTrue(second.negatives().isEmpty());
  }

  /** FlagEmbedding's "prompt" is the query instruction; written back as it came, not duplicated. */
  @Test
  void flagEmbeddingPromptIsTheInstruction() throws IOException {
    Path file = write("fe.jsonl",
        "{\"query\": \"q1\", \"pos\": [\"p1\"], \"prompt\": \"Represent this query\", \"type\": \"normal\"}",
        "{\"query\": \"q2\", \"pos\": [\"p2\"], \"prompt\": \"ignored\", \"instruction\": \"Own instruction\"}",
        "{\"query\": \"q3\", \"pos\": [\"p3\"], \"prompt\": \"  \"}");
    List<TrainingExample> examples = ExampleReader.strict().readAll(file);
    assertEquals("Represent this query", examples.get(0).instruction());
    assertEquals("Own instruction", examples.get(1).instruction());
    assertEquals(null, examples.get(2).instruction());
    assertEquals("{\"query\":\"q1\",\"pos\":[\"p1\"],\"neg\":[],\"task\":\"fe\",\"prompt\":\"Represent this query\","
        + "\"type\":\"normal\"}", ExampleJson.toLine(examples.get(0)));
    Path copy = dir.resolve("copy.jsonl");
    TrainingExamples.write(copy, examples);
    List<TrainingExample> again = ExampleReader.strict().readAll(copy);
    assertEquals(examples.stream().map(TrainingExample::instruction).toList(),
        again.stream().map(TrainingExample::instruction).toList());
    assertThrows(JsonLinesException.class, () -> ExampleReader.strict().readAll(
        write("bad.jsonl", "{\"query\": \"q\", \"pos\": [\"p\"], \"prompt\": 3}")));
  }

  @Test
  void writeThenReadRoundTrips() {
    List<TrainingExample> examples = List.of(
        TrainingExample.builder().query("ünïcode <b> & \"quotes\"").positive("p\nnewline").negative("n").task("t1")
            .instruction("Retrieve").posScores(List.of(0.25)).negScores(List.of(-0.5))
            .extra("id", "{\"x\": [1, \"y\"]}").build(),
        TrainingExample.builder().query("q").positive("p").task("t2").build());
    Path file = dir.resolve("out/examples.jsonl");
    assertEquals(2, TrainingExamples.write(file, examples));
    assertEquals(examples, ExampleReader.strict().readAll(file));
    Path gz = dir.resolve("examples.jsonl.gz");
    TrainingExamples.write(gz, examples);
    assertEquals(examples, ExampleReader.strict().readAll(gz));
  }

  @Test
  void lineLayoutKnownFieldsFirst() {
    String line = ExampleJson.toLine(TrainingExample.builder().query("<q>").positive("p").task("t")
        .extra("id", "3").build());
    assertEquals("{\"query\":\"<q>\",\"pos\":[\"p\"],\"neg\":[],\"task\":\"t\",\"id\":3}", line);
  }

  @Test
  void folderGivesEachFileItsTask() throws IOException {
    write("b.jsonl", "{\"query\": \"q2\", \"pos\": [\"p\"]}");
    write("a.jsonl", "{\"query\": \"q1\", \"pos\": [\"p\"]}", "{\"query\": \"q3\", \"pos\": [\"p\"], \"task\": \"x\"}");
    write("notes.txt", "not examples");
    List<TrainingExample> examples = ExampleReader.strict().readAll(dir);
    assertEquals(List.of("q1", "q3", "q2"), examples.stream().map(TrainingExample::query).toList());
    assertEquals(List.of("a", "x", "b"), examples.stream().map(TrainingExample::task).toList());
  }

  @Test
  void strictModeNamesFileLineAndField() throws IOException {
    Path file = write("bad.jsonl", "{\"query\": \"q\", \"pos\": [\"p\"]}", "{\"query\": 3, \"pos\": [\"p\"]}");
    JsonLinesException e = assertThrows(JsonLinesException.class, () -> ExampleReader.strict().readAll(file));
    assertEquals(2, e.line());
    assertEquals("query", e.field());
    assertTrue(e.getMessage().startsWith(file + ":2: field 'query'"), e.getMessage());
  }

  @Test
  void lenientModeSkipsAndCountsByReason() throws IOException {
    Path file = write("mixed.jsonl",
        "{\"query\": \"ok\", \"pos\": [\"p\"]}",
        "{not json",
        "{\"pos\": [\"p\"]}",
        "{\"query\": [1], \"pos\": [\"p\"]}",
        "{\"query\": \"  \", \"pos\": [\"p\"]}",
        "{\"query\": \"q\", \"pos\": []}",
        "{\"query\": \"q\", \"pos\": [\"p\"], \"neg\": [\"a\"], \"neg_scores\": [1, 2]}",
        "{\"query\": \"q\", \"pos\": [\"p\", 4]}",
        "[1, 2]",
        "{\"query\": \"ok2\", \"pos\": [\"p\"]}");
    ExampleReader reader = ExampleReader.lenient();
    assertEquals(List.of("ok", "ok2"), reader.readAll(file).stream().map(TrainingExample::query).toList());
    ReadReport report = reader.report();
    assertEquals(10, report.lines());
    assertEquals(2, report.examples());
    assertEquals(8, report.skipped());
    assertEquals(2L, report.skippedByReason().get(ReadReport.INVALID_JSON));
    assertEquals(1L, report.skippedByReason().get(ReadReport.MISSING_FIELD));
    assertEquals(2L, report.skippedByReason().get(ReadReport.WRONG_TYPE));
    assertEquals(1L, report.skippedByReason().get(ReadReport.EMPTY_QUERY));
    assertEquals(1L, report.skippedByReason().get(ReadReport.NO_POSITIVE));
    assertEquals(1L, report.skippedByReason().get(ReadReport.BAD_SCORES));
    assertTrue(report.firstErrors().get(0).startsWith(file + ":2:"), report.firstErrors().get(0));
  }

  @Test
  void streamsLazily() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      text.append("{\"query\": \"q").append(i).append("\", \"pos\": [\"p\"]}\n");
    }
    text.append("{broken\n");
    ExampleReader reader = ExampleReader.strict();
    try (Stream<TrainingExample> s = reader.read(new java.io.ByteArrayInputStream(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)), "stdin", "t")) {
      Iterator<TrainingExample> it = s.iterator();
      assertEquals("q0", it.next().query());
      assertEquals(1, reader.report().lines()); // nothing read ahead
    }
  }

  @Test
  void uncommittedWriterLeavesNothing() throws IOException {
    Path target = dir.resolve("never.jsonl");
    try (ExampleWriter out = ExampleWriter.open(target)) {
      out.write(TrainingExample.builder().query("q").positive("p").build());
    }
    assertFalse(Files.exists(target));
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(0, left.count());
    }
  }

  @Test
  void missingFileIsNamed() {
    Path missing = dir.resolve("missing.jsonl");
    Exception e = assertThrows(java.io.UncheckedIOException.class, () -> ExampleReader.strict().read(missing));
    assertTrue(e.getMessage().contains(missing.toString()));
  }

  private Path write(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, List.of(lines), StandardCharsets.UTF_8);
    return file;
  }
}
