package dev.kalm.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clustering as MTEB 2.x scores it (bootstrap; multi-set averaged per set) and kalm's full-set option. */
class ClusteringTest {
  @TempDir Path dir;

  /** Four label groups along four axes with overlap: {@code noise} blurs them. */
  private static Map<String, float[]> groups(StringBuilder lines, String set, int perLabel, float noise, long seed) {
    Random random = new Random(seed);
    Map<String, float[]> vectors = new HashMap<>();
    for (int l = 0; l < 4; l++) {
      for (int i = 0; i < perLabel; i++) {
        float[] v = new float[4];
        v[l] = 1;
        for (int j = 0; j < 4; j++) {
          v[j] += noise * (float) random.nextGaussian();
        }
        String text = set + "c" + l + "x" + i;
        vectors.put(text, v);
        lines.append("{\"text\": \"").append(text).append("\", \"label\": \"L").append(l).append('"')
            .append(set.isEmpty() ? "" : ", \"set\": \"" + set + "\"").append("}\n");
      }
    }
    return vectors;
  }

  private EvaluationResult run(String lines, Map<String, float[]> vectors, EvaluationConfig config) throws IOException {
    Files.writeString(dir.resolve("test.jsonl"), lines);
    return Evaluators.clustering(dir, "test", config).evaluate(new FakeEmbedders.Table(vectors, 4));
  }

  @Test
  void bootstrapAveragesTenSamplesOf16384Draws() throws IOException {
    StringBuilder lines = new StringBuilder();
    Map<String, float[]> vectors = groups(lines, "", 50, 0.45f, 1);
    EvaluationResult boot = run(lines.toString(), vectors, EvaluationConfig.defaults());
    assertEquals(10L, boot.counts().get("bootstrap_samples"));
    assertEquals(16384L, boot.counts().get("bootstrap_size"));
    assertTrue(boot.scores().containsKey("v_measure_std"));
    EvaluationResult full = run(lines.toString(), vectors,
        EvaluationConfig.builder().clustering(ClusteringMode.FULL_SET).build());
    assertEquals(null, full.scores().get("v_measure_std"));
    assertTrue(boot.mainScore() > 0.3 && boot.mainScore() < 1, "bootstrap " + boot.mainScore());
    assertTrue(full.mainScore() > 0.3 && full.mainScore() < 1, "full " + full.mainScore());
    assertNotEquals(boot.mainScore(), full.mainScore());
    System.out.printf("clustering spread (4 labels x 50, noise 0.45): bootstrap %.4f (std %.4f), full set %.4f%n",
        boot.mainScore(), boot.scores().get("v_measure_std"), full.mainScore());
    assertEquals(boot.mainScore(), run(lines.toString(), vectors, EvaluationConfig.defaults()).mainScore(), 0,
        "deterministic for a seed");
  }

  /** Sets scored one by one and averaged; a one-label set scores 1, as MTEB's legacy multi-set tasks. */
  @Test
  void setsAreScoredOneByOneAndAveraged() throws IOException {
    StringBuilder a = new StringBuilder();
    Map<String, float[]> vectors = new HashMap<>(groups(a, "A", 10, 0.6f, 2));
    StringBuilder b = new StringBuilder();
    vectors.putAll(groups(b, "B", 10, 0.3f, 3));
    String oneLabel = "{\"text\": \"Cc0x0\", \"label\": \"L0\", \"set\": 7}\n{\"text\": \"Cc0x1\", \"label\": \"L0\", \"set\": 7}\n";
    vectors.put("Cc0x0", new float[] {1, 0, 0, 0});
    vectors.put("Cc0x1", new float[] {0, 1, 0, 0});
    EvaluationResult all = run(a + b.toString() + oneLabel, vectors, EvaluationConfig.defaults());
    assertEquals(3L, all.counts().get("sets"));

    // Each set alone, scored by one k-means run on the whole set: the same numbers.
    EvaluationConfig oneRun = EvaluationConfig.builder().clustering(ClusteringMode.FULL_SET).clusteringRestarts(1).build();
    double setA = run(a.toString().replace(", \"set\": \"A\"", ""), vectors, oneRun).mainScore();
    double setB = run(b.toString().replace(", \"set\": \"B\"", ""), vectors, oneRun).mainScore();
    assertEquals((setA + setB + 1.0) / 3, all.mainScore(), 1e-12);
    double mean = (setA + setB + 1.0) / 3;
    double std = Math.sqrt(((setA - mean) * (setA - mean) + (setB - mean) * (setB - mean) + (1 - mean) * (1 - mean)) / 3);
    assertEquals(std, all.scores().get("v_measure_std"), 1e-12);
  }

  /** Weighted rows cluster as their repetitions would: the heavier end pulls the middle point away. */
  @Test
  void weightsActAsMultiplicities() {
    float[][] x = {{0f}, {5f}, {10f}};
    int[] heavyLow = KMeans.cluster(x, new int[] {3, 1, 1}, 2, 5, 1); // {0 x3}, {5, 10}: SSE 12.5 < 18.75
    assertEquals(heavyLow[1], heavyLow[2]);
    assertNotEquals(heavyLow[0], heavyLow[1]);
    int[] heavyHigh = KMeans.cluster(x, new int[] {1, 1, 3}, 2, 5, 1); // {0, 5}, {10 x3}
    assertEquals(heavyHigh[0], heavyHigh[1]);
    assertNotEquals(heavyHigh[1], heavyHigh[2]);
  }
}
