package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: {@code kalm eval} on small slices of the shared real data with the tiny text fixture model. */
class EvalCommandTest {
  @TempDir Path dir;

  private static Path shared() {
    Fixtures.shared("data/man-dev");
    return Fixtures.shared();
  }

  private record Run(int exit, String out, String err) {}

  private static Run kalm(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = KalmCli.run(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  /** The qwen2-text fixture (random weights, real Qwen2 tokenizer) as a model folder; skips when it cannot load. */
  private Path tinyModel(Path shared) throws IOException {
    Path fixture = shared.resolve("fixtures/qwen2-text");
    Path tokenizer = shared.resolve("models/qwen2-tokenizer/tokenizer.json");
    Fixtures.skipUnless(Files.isDirectory(fixture) && Files.isRegularFile(tokenizer),
        "shared model fixture fixtures/qwen2-text or models/qwen2-tokenizer not found under " + shared);
    Path model = Files.createDirectories(dir.resolve("model"));
    for (String name : List.of("config.json", "model.safetensors", "tokenizer_config.json")) {
      Files.copy(fixture.resolve(name), model.resolve(name));
    }
    Files.copy(tokenizer, model.resolve("tokenizer.json"));
    try (Embedder ignored = Embedders.load(model, EmbedderConfig.builder().maxLength(64).build())) {
      return model;
    } catch (UnsupportedOperationException e) {
      Assumptions.abort("Embedders.load is not available in this build (" + e.getMessage()
          + "): run this test after the model code is merged");
      throw e;
    }
  }

  /** The first {@code n} query/document pairs of man-dev as a BEIR folder. */
  private Path manDevSlice(Path shared, int n) throws IOException {
    Path source = shared.resolve("data/man-dev");
    Path slice = Files.createDirectories(dir.resolve("man-dev-" + n + "/qrels"));
    List<String> qrels;
    try (Stream<String> lines = Files.lines(source.resolve("qrels/test.tsv"))) {
      qrels = lines.limit(n + 1L).collect(Collectors.toList());
    }
    Set<String> queries = qrels.stream().skip(1).map(l -> l.split("\t")[0]).collect(Collectors.toSet());
    Set<String> docs = qrels.stream().skip(1).map(l -> l.split("\t")[1]).collect(Collectors.toSet());
    Files.write(slice.resolve("test.tsv"), qrels);
    Files.write(slice.getParent().resolve("queries.jsonl"), filterById(source.resolve("queries.jsonl"), queries));
    Files.write(slice.getParent().resolve("corpus.jsonl"), filterById(source.resolve("corpus.jsonl"), docs));
    return slice.getParent();
  }

  private static List<String> filterById(Path file, Set<String> ids) throws IOException {
    try (Stream<String> lines = Files.lines(file)) {
      return lines.filter(l -> ids.contains(JsonParser.parseString(l).getAsJsonObject().get("_id").getAsString()))
          .collect(Collectors.toList());
    }
  }

  @Test
  void retrievalOnManDevPrintsAndWritesTheResult() throws IOException {
    Path shared = shared();
    Path model = tinyModel(shared);
    Path data = manDevSlice(shared, 200);
    Path output = dir.resolve("results/man-dev.json");
    Run run = kalm("eval", "--model", model.toString(), "--task", "retrieval", "--data", data.toString(),
        "--max-length", "64", "--device", "cpu", "--query-instruction", "Given a query, retrieve documents.",
        "--output", output.toString());
    assertEquals(0, run.exit(), run.err());
    JsonObject json = JsonParser.parseString(run.out()).getAsJsonObject();
    assertEquals("ndcg_at_10", json.get("main_score_name").getAsString());
    JsonObject scores = json.getAsJsonObject("scores");
    for (String key : List.of("ndcg_at_10", "map_at_10", "recall_at_100", "mrr_at_10")) {
      double v = scores.get(key).getAsDouble();
      assertTrue(v >= 0 && v <= 1, key + " = " + v);
    }
    assertEquals(scores.get("ndcg_at_10").getAsDouble(), json.get("main_score").getAsDouble());
    assertEquals(200, json.getAsJsonObject("counts").get("queries").getAsInt());
    assertTrue(json.getAsJsonObject("embedder").get("query_prompt").getAsString().startsWith("Instruct: "));
    assertEquals(run.out().strip(), Files.readString(output).strip());
    assertTrue(run.err().contains("embedded"), run.err());
  }

  @Test
  void bitextAndStsRunEndToEnd() throws IOException {
    Path shared = shared();
    Path model = tinyModel(shared);
    Path bitext = dir.resolve("bitext.jsonl");
    try (Stream<String> lines = Files.lines(shared.resolve("data/bitext-dev.jsonl"))) {
      Files.write(bitext, lines.limit(50).collect(Collectors.toList()));
    }
    Run run = kalm("eval", "--model", model.toString(), "--task", "bitext", "--data", bitext.toString(),
        "--max-length", "64", "--device", "cpu");
    assertEquals(0, run.exit(), run.err());
    assertEquals("f1", JsonParser.parseString(run.out()).getAsJsonObject().get("main_score_name").getAsString());

    Path sts = dir.resolve("sts.jsonl");
    Files.write(sts, List.of(
        "{\"sentence1\": \"list directory contents\", \"sentence2\": \"show the files in a folder\", \"score\": 4.5}",
        "{\"sentence1\": \"copy files\", \"sentence2\": \"duplicate files to another place\", \"score\": 4}",
        "{\"sentence1\": \"remove a file\", \"sentence2\": \"print the date\", \"score\": 0.5}"));
    run = kalm("eval", "--model", model.toString(), "--task", "sts", "--data", sts.toString(), "--device", "cpu");
    assertEquals(0, run.exit(), run.err());
    assertEquals("cosine_spearman",
        JsonParser.parseString(run.out()).getAsJsonObject().get("main_score_name").getAsString());
  }

  @Test
  void dataErrorsAreReportedBeforeAnyModelIsLoaded() throws IOException {
    Path bad = dir.resolve("sts.jsonl");
    Files.writeString(bad, "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": \"high\"}\n");
    Run run = kalm("eval", "--model", dir.resolve("no-model").toString(), "--task", "sts", "--data", bad.toString());
    assertEquals(1, run.exit());
    assertTrue(run.err().contains("sts.jsonl:1: field 'score'"), run.err());

    run = kalm("eval", "--model", "m", "--task", "ranking", "--data", bad.toString());
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("retrieval, bitext, sts, pair, classification, clustering, reranking"), run.err());
  }
}
