package dev.kalm.data.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.jsonl.JsonLinesException;
import dev.kalm.data.beir.BeirDataset;
import dev.kalm.data.search.CorpusDocument;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training data, BEIR folders and search corpora: lenient JSON, bad UTF-8, empty texts and repeated ids. */
class StrictInputTest {
  @TempDir Path dir;

  private Path write(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    return file;
  }

  private Path write(String name, String text) throws IOException {
    return write(name, text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void lenientJsonIsRejectedWithFileAndLine() throws IOException {
    Path file = write("t.jsonl", "{\"query\":\"q\",\"pos\":[\"p\"]}\n{\"query\": oops, \"pos\": [\"p\"]}\n");
    JsonLinesException e = assertThrows(JsonLinesException.class, () -> ExampleReader.strict().readAll(file));
    assertTrue(e.getMessage().startsWith(file + ":2: invalid JSON at column 11 near 'oops, "), e.getMessage());
    Path single = write("s.jsonl", "{query:'x', pos:['p']}\n");
    e = assertThrows(JsonLinesException.class, () -> ExampleReader.strict().readAll(single));
    assertTrue(e.getMessage().startsWith(single + ":1: invalid JSON at column"), e.getMessage());
  }

  @Test
  void invalidUtf8LineIsNamedOrSkippedAndCounted() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < 4; i++) {
      out.writeBytes(("{\"query\":\"q" + i + "\",\"pos\":[\"p\"]}\n").getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes(new byte[] {'{', '"', 'q', 'u', 'e', 'r', 'y', '"', ':', '"', (byte) 0xfc, '"', '}', '\n'});
    out.writeBytes("{\"query\":\"q5\",\"pos\":[\"p\"]}\n".getBytes(StandardCharsets.UTF_8));
    Path file = write("u.jsonl", out.toByteArray());
    JsonLinesException e = assertThrows(JsonLinesException.class, () -> ExampleReader.strict().readAll(file));
    assertEquals(file + ":5: not valid UTF-8: byte 0xfc at byte 11 of the line", e.getMessage());
    ExampleReader lenient = ExampleReader.lenient();
    assertEquals(5, lenient.readAll(file).size());
    assertEquals(1L, lenient.report().skippedByReason().get(ReadReport.NOT_UTF8));
    assertTrue(lenient.report().firstErrors().get(0).startsWith(file + ":5: not valid UTF-8"));
  }

  @Test
  void emptyNegativeIsRejected() throws IOException {
    Path file = write("n.jsonl", "{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[\"n\",\"\"]}\n");
    JsonLinesException e = assertThrows(JsonLinesException.class, () -> ExampleReader.strict().readAll(file));
    assertEquals(file + ":1: field 'neg[1]': must not be empty", e.getMessage());
    ExampleReader lenient = ExampleReader.lenient();
    lenient.readAll(file);
    assertEquals(1L, lenient.report().skippedByReason().get(ReadReport.EMPTY_NEGATIVE));
  }

  @Test
  void beirRepeatedIdsAndBadQrelsAreNamed() throws IOException {
    write("beir/queries.jsonl", "{\"_id\":\"q1\",\"text\":\"query\"}\n");
    write("beir/qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
    Path corpus = write("beir/corpus.jsonl", "{\"_id\":\"d1\",\"text\":\"a\"}\n{\"_id\":\"d2\",\"text\":\"b\"}\n"
        + "{\"_id\":\"d1\",\"text\":\"c\"}\n");
    JsonLinesException e = assertThrows(JsonLinesException.class, () -> BeirDataset.load(dir.resolve("beir"), "test"));
    assertEquals(corpus + ":3: field '_id': repeated id 'd1' (first on line 1)", e.getMessage());
    write("beir/corpus.jsonl", "{\"_id\":{\"x\":1},\"text\":\"a\"}\n");
    e = assertThrows(JsonLinesException.class, () -> BeirDataset.load(dir.resolve("beir"), "test"));
    assertEquals(corpus + ":1: field '_id': must be a string or a number, got {\"x\":1}", e.getMessage());
    write("beir/corpus.jsonl", "{\"_id\":\"d1\",\"text\":\"a\"}\n");
    Path qrels = write("beir/qrels/test.tsv", new byte[] {'q', '1', '\t', 'd', '1', '\t', '1', '\n', 'q', (byte) 0xff,
        '\t', 'd', '1', '\t', '1', '\n'});
    e = assertThrows(JsonLinesException.class, () -> BeirDataset.load(dir.resolve("beir"), "test"));
    assertEquals(qrels + ":2: not valid UTF-8: byte 0xff at byte 2 of the line", e.getMessage());
  }

  @Test
  void corpusDocumentThatWouldEmbedToZeroIsRejected() throws IOException {
    Path file = write("c.jsonl", "{\"_id\":\"a\",\"text\":\"x\"}\n{\"_id\":\"b\",\"text\":\"\"}\n");
    JsonLinesException e = assertThrows(JsonLinesException.class, () -> CorpusDocument.readJsonl(file));
    assertEquals(file + ":2: field 'text': must not be empty (an empty document embeds to the zero vector)",
        e.getMessage());
    Path titled = write("t.jsonl", "{\"_id\":\"b\",\"title\":\"T\",\"text\":\"\"}\n");
    assertEquals(List.of("T"), CorpusDocument.readJsonl(titled).stream().map(CorpusDocument::embeddingText).toList());
  }
}
