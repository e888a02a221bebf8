package dev.kalm.data.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.jsonl.JsonLinesException;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.testing.FakeEmbedder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingIndexTest {
  @TempDir Path dir;

  private static final IndexFingerprint PRINT = new IndexFingerprint("m1", "c1", "s1");

  private static List<CorpusDocument> docs() {
    return List.of(
        new CorpusDocument("ls", "ls", "list directory contents"),
        new CorpusDocument("cp", "", "copy files and directories"),
        new CorpusDocument("mount", "mount", "mount a filesystem on a directory"));
  }

  @Test
  void buildSaveLoadRoundTrip() throws IOException {
    FakeEmbedder embedder = FakeEmbedder.quantized(16);
    EmbeddingIndex index = EmbeddingIndex.build(embedder, docs(), PRINT, ProgressListener.NONE);
    assertEquals(List.of("ls list directory contents", "copy files and directories", "mount mount a filesystem on a directory"),
        embedder.calls().get(0).texts(), "title + text, no title: text alone");
    assertEquals(Prompt.none(), embedder.calls().get(0).prompt(), "documents get no prompt");
    Path file = dir.resolve("sub/corpus.jsonl" + EmbeddingIndex.SUFFIX);
    index.save(file);
    EmbeddingIndex loaded = EmbeddingIndex.load(file);
    assertEquals(PRINT, loaded.fingerprint());
    assertEquals(List.of("ls", "cp", "mount"), loaded.ids());
    assertEquals(16, loaded.dimension());
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(index.vector(i), loaded.vector(i));
    }
    assertEquals(PRINT, EmbeddingIndex.readFingerprint(file).orElseThrow());
    assertTrue(EmbeddingIndex.readFingerprint(dir.resolve("none")).isEmpty());
    assertFalse(loaded.isStale(PRINT));
    assertTrue(loaded.isStale(new IndexFingerprint("m1", "c2", "s1")));
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "no temporary file left");
    }
    long expected = 8 + 4 + 4 + headerLength(file) + 3L * 16 * Float.BYTES;
    assertEquals(expected, file.toFile().length());
  }

  private static int headerLength(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      return java.nio.ByteBuffer.wrap(bytes, 12, 4).getInt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void searchRanksByScore() {
    FakeEmbedder embedder = FakeEmbedder.bagOfWords(64);
    EmbeddingIndex index = EmbeddingIndex.build(embedder, docs(), PRINT, ProgressListener.NONE);
    SearchResults top = index.search(embedder.embed(List.of("copy files", "mount filesystem"), Prompt.none()), 3);
    assertEquals("cp", index.ids().get(top.id(0, 0)));
    assertEquals("mount", index.ids().get(top.id(1, 0)));
    float[] scores = top.scores(0);
    assertTrue(scores[0] >= scores[1] && scores[1] >= scores[2]);
  }

  @Test
  void openOrBuildReusesOrRebuildsWithAReason() throws IOException {
    FakeEmbedder embedder = FakeEmbedder.quantized(8);
    Path file = dir.resolve("c.kalm-index");
    EmbeddingIndex.Opened first = EmbeddingIndex.openOrBuild(file, docs(), PRINT, embedder, ProgressListener.NONE);
    assertTrue(first.built());
    assertEquals("no index", first.reason());
    EmbeddingIndex.Opened second = EmbeddingIndex.openOrBuild(file, docs(), PRINT, embedder, ProgressListener.NONE);
    assertFalse(second.built());
    assertEquals(1, embedder.calls().size(), "reused: nothing embedded");

    EmbeddingIndex.Opened corpus = EmbeddingIndex.openOrBuild(file, docs(), new IndexFingerprint("m1", "c2", "s2"),
        embedder, ProgressListener.NONE);
    assertTrue(corpus.built());
    assertEquals("corpus, settings changed", corpus.reason());

    List<CorpusDocument> reordered = List.of(docs().get(1), docs().get(0), docs().get(2));
    EmbeddingIndex.Opened ids = EmbeddingIndex.openOrBuild(file, reordered, new IndexFingerprint("m1", "c2", "s2"),
        embedder, ProgressListener.NONE);
    assertEquals("document ids differ", ids.reason());

    Files.write(file, "garbage that is long enough".getBytes(StandardCharsets.UTF_8));
    EmbeddingIndex.Opened broken = EmbeddingIndex.openOrBuild(file, docs(), PRINT, embedder, ProgressListener.NONE);
    assertTrue(broken.built());
    assertTrue(broken.reason().startsWith("unreadable index (") && broken.reason().contains("bad magic"), broken.reason());
    assertFalse(EmbeddingIndex.openOrBuild(file, docs(), PRINT, embedder, ProgressListener.NONE).built());
  }

  @Test
  void corruptFilesAreReportedWithTheirName() throws IOException {
    Path file = dir.resolve("x.kalm-index");
    EmbeddingIndex.build(FakeEmbedder.quantized(4), docs(), PRINT, ProgressListener.NONE).save(file);
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 3));
    UncheckedIOException truncated = assertThrows(UncheckedIOException.class, () -> EmbeddingIndex.load(file));
    assertTrue(truncated.getMessage().contains("x.kalm-index") && truncated.getMessage().contains("expected"),
        truncated.getMessage());
    byte[] otherVersion = whole.clone();
    otherVersion[11] = 9;
    Files.write(file, otherVersion);
    assertTrue(assertThrows(UncheckedIOException.class, () -> EmbeddingIndex.load(file)).getMessage().contains("version 9"));
    Files.write(file, new byte[] {1, 2});
    assertThrows(UncheckedIOException.class, () -> EmbeddingIndex.load(file));
    assertThrows(UncheckedIOException.class, () -> EmbeddingIndex.load(dir.resolve("missing")));
    assertThrows(IllegalArgumentException.class,
        () -> EmbeddingIndex.build(FakeEmbedder.quantized(4), List.of(), PRINT, ProgressListener.NONE));
  }

  @Test
  void fingerprints() throws IOException {
    Path corpus = dir.resolve("corpus.jsonl");
    Files.writeString(corpus, "{\"text\": \"a\"}\n");
    String before = IndexFingerprint.ofFile(corpus);
    Files.setLastModifiedTime(corpus, FileTime.fromMillis(0));
    assertEquals(before, IndexFingerprint.ofFile(corpus), "content-based: touching keeps it");
    Files.writeString(corpus, "{\"text\": \"b\"}\n");
    assertNotEquals(before, IndexFingerprint.ofFile(corpus));
    assertTrue(before.startsWith("14:"), before);

    Path model = dir.resolve("model");
    Files.createDirectories(model.resolve("1_Pooling"));
    Files.writeString(model.resolve("config.json"), "{\"hidden_size\": 8}");
    Files.write(model.resolve("model.safetensors"), new byte[3 * IndexFingerprint.SAMPLE_BYTES]);
    Files.writeString(model.resolve("README.md"), "about");
    String m1 = IndexFingerprint.ofModel(model);
    Files.writeString(model.resolve("README.md"), "about it");
    assertEquals(m1, IndexFingerprint.ofModel(model), "README does not count");
    Files.writeString(model.resolve("1_Pooling/config.json"), "{}");
    String m2 = IndexFingerprint.ofModel(model);
    assertNotEquals(m1, m2);
    byte[] weights = new byte[3 * IndexFingerprint.SAMPLE_BYTES];
    weights[weights.length - 1] = 1;
    Files.write(model.resolve("model.safetensors"), weights);
    assertNotEquals(m2, IndexFingerprint.ofModel(model), "the last MiB counts");

    EmbedderConfig a = EmbedderConfig.builder().pooling(Pooling.MEAN).maxLength(128).build();
    assertEquals(IndexFingerprint.ofSettings(a), IndexFingerprint.ofSettings(a.toBuilder().batchTokens(999).build()));
    assertNotEquals(IndexFingerprint.ofSettings(a), IndexFingerprint.ofSettings(a.toBuilder().maxLength(64).build()));
    assertEquals(List.of("model", "settings"),
        new IndexFingerprint("a", "b", "c").differences(new IndexFingerprint("x", "b", "y")));
  }

  @Test
  void corpusFilesWithIdsTitlesAndErrors() throws IOException {
    Path corpus = dir.resolve("corpus.jsonl");
    Files.writeString(corpus, String.join("\n",
        "{\"_id\": \"d0\", \"title\": \"ls\", \"text\": \"list\"}",
        "",
        "{\"id\": 7, \"text\": \"seven\"}",
        "{\"text\": \"no id\"}") + "\n");
    List<CorpusDocument> docs = CorpusDocument.readJsonl(corpus);
    assertEquals(List.of(new CorpusDocument("d0", "ls", "list"), new CorpusDocument("7", "", "seven"),
        new CorpusDocument("4", "", "no id")), docs);
    assertEquals("ls list", docs.get(0).embeddingText());

    Files.writeString(corpus, "{\"text\": \"a\"}\n{\"title\": \"t\"}\n");
    JsonLinesException missing = assertThrows(JsonLinesException.class, () -> CorpusDocument.readJsonl(corpus));
    assertEquals(2, missing.line());
    assertEquals("text", missing.field());
    Files.writeString(corpus, "{\"id\": \"a\", \"text\": \"a\"}\n{\"id\": \"a\", \"text\": \"b\"}\n");
    JsonLinesException repeated = assertThrows(JsonLinesException.class, () -> CorpusDocument.readJsonl(corpus));
    assertTrue(repeated.getMessage().contains("repeated id 'a'"), repeated.getMessage());
    Files.writeString(corpus, "{\"text\": \"a\"}\nnot json\n");
    assertEquals(2, assertThrows(JsonLinesException.class, () -> CorpusDocument.readJsonl(corpus)).line());
  }
}
