package dev.kalm.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultFileTest {
  @TempDir Path dir;

  static EvaluationResult sample(double main) {
    return new EvaluationResult(EvaluationTask.RETRIEVAL, "data/x", "test", "ndcg_at_10",
        ImmutableMap.of("ndcg_at_10", main, "map_at_10", Double.NaN),
        ImmutableMap.of("de", ImmutableMap.of("ndcg_at_10", 0.5)),
        ImmutableMap.of("queries", 3L, "skipped_queries", 1L), 1.5);
  }

  @Test
  void resultJsonHasTheMainScoreAndWritesNaNAsNull() {
    JsonObject o = JsonParser.parseString(sample(0.25).toJson()).getAsJsonObject();
    assertEquals("retrieval", o.get("task").getAsString());
    assertEquals(0.25, o.get("main_score").getAsDouble());
    assertEquals("ndcg_at_10", o.get("main_score_name").getAsString());
    assertTrue(o.getAsJsonObject("scores").get("map_at_10").isJsonNull());
    assertEquals(List.of("ndcg_at_10", "map_at_10"), List.copyOf(o.getAsJsonObject("scores").keySet()));
    assertEquals(0.5, o.getAsJsonObject("subsets").getAsJsonObject("de").get("ndcg_at_10").getAsDouble());
    assertEquals(1, o.getAsJsonObject("counts").get("skipped_queries").getAsLong());
    assertEquals(1.5, o.get("evaluation_seconds").getAsDouble());
  }

  @Test
  void theMainScoreMustBeAScore() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new EvaluationResult(EvaluationTask.STS, "d", "test", "spearman", ImmutableMap.of("pearson", 1.0),
            ImmutableMap.of(), ImmutableMap.of(), 0));
    assertTrue(e.getMessage().contains("spearman"), e.getMessage());
  }

  @Test
  void resultFileRecordsModelEmbedderAndVersionsAndIsWrittenAtomically() throws IOException {
    Map<String, Object> embedder = new LinkedHashMap<>();
    embedder.put("max_length", 512);
    embedder.put("normalize", true);
    embedder.put("pooling", "MEAN");
    embedder.put("attention", null);
    Path file = dir.resolve("out/result.json");
    ResultFile.write(file, sample(0.75), "models/kalm", embedder);
    JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    assertEquals("models/kalm", o.get("model").getAsString());
    assertEquals(512, o.getAsJsonObject("embedder").get("max_length").getAsInt());
    assertTrue(o.getAsJsonObject("embedder").get("normalize").getAsBoolean());
    assertFalse(o.getAsJsonObject("embedder").has("attention"));
    assertEquals(0.75, o.get("main_score").getAsDouble());
    JsonObject versions = o.getAsJsonObject("versions");
    assertEquals(System.getProperty("java.version"), versions.get("java").getAsString());
    assertEquals("0.36.0", versions.get("djl").getAsString());
    assertTrue(versions.has("kalm"));
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList(), "no temporary file left behind");
    }
  }
}
