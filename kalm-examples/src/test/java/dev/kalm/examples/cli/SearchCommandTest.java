package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.testing.TestModels;
import dev.kalm.data.search.CorpusDocument;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end with a real (micro, random-weight) Qwen2 model: index once, reuse, rebuild on change, answer queries. */
class SearchCommandTest {
  @TempDir Path dir;

  private static final String[][] PAGES = {
      {"ls", "list directory contents"}, {"cp", "copy files and directories"}, {"mv", "move (rename) files"},
      {"rm", "remove files or directories"}, {"grep", "print lines that match patterns"},
      {"tar", "an archiving utility"}, {"mount", "mount a filesystem"}, {"kill", "send a signal to a process"},
      {"date", "print or set the system date and time"}, {"sort", "sort lines of text files"},
      {"chmod", "change file mode bits"}, {"ssh", "OpenSSH remote login client"}};

  private Path corpus() throws IOException {
    Path corpus = dir.resolve("corpus.jsonl");
    StringBuilder lines = new StringBuilder();
    for (String[] page : PAGES) {
      lines.append("{\"id\": \"").append(page[0]).append("\", \"title\": \"").append(page[0])
          .append("\", \"text\": \"").append(page[1]).append("\"}\n");
    }
    Files.writeString(corpus, lines, StandardCharsets.UTF_8);
    return corpus;
  }

  private static String[] args(Path corpus, String... more) {
    return args(corpus, 64, more);
  }

  private static String[] args(Path corpus, int maxLength, String... more) {
    List<String> all = new ArrayList<>(List.of("search", "--model", TestModels.micro().toString(), "--corpus",
        corpus.toString(), "--device", "cpu", "--max-length", String.valueOf(maxLength)));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  /** The result lines of each query block: rank, score, id, snippet. */
  private static List<List<String[]>> blocks(String out) {
    List<List<String[]>> blocks = new ArrayList<>();
    for (String line : out.split("\n")) {
      if (line.startsWith("query: ")) {
        blocks.add(new ArrayList<>());
      } else if (!line.isEmpty()) {
        blocks.get(blocks.size() - 1).add(line.split("\t"));
      }
    }
    return blocks;
  }

  @Test
  void buildsOnceReusesAndRebuildsWhenTheCorpusChanges() throws IOException {
    Path corpus = corpus();
    Path index = dir.resolve("corpus.jsonl.kalm-index");

    CliRunner.Result first = CliRunner.run(args(corpus, "--top-k", "5", "copy a file", "list the files in a folder"));
    assertEquals(0, first.exitCode(), first.err());
    assertTrue(first.err().contains("built index " + index + " (no index): 12 documents"), first.err());
    assertTrue(Files.isRegularFile(index));
    List<List<String[]>> blocks = blocks(first.out());
    assertEquals(2, blocks.size(), first.out());
    for (List<String[]> block : blocks) {
      assertEquals(5, block.size());
      for (int rank = 0; rank < block.size(); rank++) {
        String[] row = block.get(rank);
        assertEquals(4, row.length, String.join("|", row));
        assertEquals(String.valueOf(rank + 1), row[0]);
        assertTrue(row[1].matches("-?\\d\\.\\d{4}"), row[1]);
        if (rank > 0) {
          assertTrue(Double.parseDouble(row[1]) <= Double.parseDouble(block.get(rank - 1)[1]), "ranked by score");
        }
      }
    }

    CliRunner.Result second = CliRunner.run(args(corpus, "--top-k", "5", "copy a file", "list the files in a folder"));
    assertEquals(0, second.exitCode(), second.err());
    assertTrue(second.err().contains("using index " + index + ": 12 documents"), second.err());
    assertFalse(second.err().contains("built index"), second.err());
    assertEquals(first.out(), second.out(), "same index, same answers");

    Files.writeString(corpus, "{\"id\": \"cat\", \"text\": \"concatenate files and print on the standard output\"}\n",
        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    CliRunner.Result changed = CliRunner.run(args(corpus, "copy a file"));
    assertEquals(0, changed.exitCode(), changed.err());
    assertTrue(changed.err().contains("(corpus changed): 13 documents"), changed.err());
    assertEquals(10, blocks(changed.out()).get(0).size(), "default top-k is 10");

    CliRunner.Result settings = CliRunner.run(args(corpus, 32, "copy a file"));
    assertTrue(settings.err().contains("(settings changed)"), settings.err());
  }

  @Test
  void anExactDocumentTextComesFirstWithoutAnInstruction() throws IOException {
    Path corpus = corpus();
    Path index = dir.resolve("elsewhere/my.idx");
    CliRunner.Result r = CliRunner.run(args(corpus, "--index", index.toString(), "--query-instruction", "",
        "--top-k", "3", "mount mount a filesystem"));
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(Files.isRegularFile(index), "--index is honoured");
    String[] best = blocks(r.out()).get(0).get(0);
    assertEquals("mount", best[2]);
    assertEquals("1.0000", best[1]);
    assertEquals("mount mount a filesystem", best[3]);
    assertTrue(r.out().startsWith("query: mount mount a filesystem\n"), r.out());
  }

  @Test
  void readsQueriesFromStandardInput() throws IOException {
    Path corpus = corpus();
    CliRunner.Result r = CliRunner.runWithInput("copy a file\n\n  kill a process  \n", args(corpus, "--top-k", "2"));
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("query: copy a file\n") && r.out().contains("query: kill a process\n"), r.out());
    assertEquals(2, blocks(r.out()).size());
    blocks(r.out()).forEach(b -> assertEquals(2, b.size()));
  }

  @Test
  void badCorpusLinesNameFileAndLine() throws IOException {
    Path corpus = dir.resolve("bad.jsonl");
    Files.writeString(corpus, "{\"text\": \"fine\"}\n{\"text\": \"fine too\"}\n{\"title\": \"no text\"}\n");
    CliRunner.Result r = CliRunner.run(args(corpus, "anything"));
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains(corpus + ":3: field 'text': missing"), r.err());
    assertFalse(Files.exists(dir.resolve("bad.jsonl.kalm-index")));

    Files.writeString(corpus, "");
    CliRunner.Result empty = CliRunner.run(args(corpus, "anything"));
    assertEquals(1, empty.exitCode());
    assertTrue(empty.err().contains("holds no documents"), empty.err());

    CliRunner.Result topK = CliRunner.run(args(corpus(), "--top-k", "0", "x"));
    assertEquals(1, topK.exitCode());
    assertTrue(topK.err().contains("--top-k must be >= 1"), topK.err());
  }

  @Test
  void snippetsAreOneLineAndShort() {
    String longText = "word ".repeat(60) + "\n second line";
    String snippet = SearchCommand.snippet(new CorpusDocument("x", "Title", longText));
    assertTrue(snippet.startsWith("Title word word"), snippet);
    assertTrue(snippet.endsWith(" ...") && snippet.length() <= 104, snippet);
    assertFalse(snippet.contains("\n"));
    assertEquals("short text", SearchCommand.snippet(new CorpusDocument("y", "", "short\n text")));
  }
}
