package dev.kalm.train.eval;

import static dev.kalm.train.eval.Beir.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.jsonl.JsonLinesException;
import dev.kalm.core.model.Prompt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bitext, STS, pair classification, clustering and reranking on hand-computed cases. */
class OtherTasksTest {
  private static final double EPS = 1e-12;

  @TempDir Path dir;

  private Path write(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, List.of(lines));
    return file;
  }

  @Test
  void bitextScoresMatchSklearnWeightedAveraging() throws IOException {
    // de: x0 -> e0 (right), x1 -> e0 (wrong), x2 -> e2 (right)
    Path file = write("bitext.jsonl",
        "{\"lang\": \"de\", \"en\": \"e0\", \"xx\": \"x0\"}",
        "{\"lang\": \"de\", \"en\": \"e1\", \"xx\": \"x1\"}",
        "{\"lang\": \"de\", \"en\": \"e2\", \"xx\": \"x2\"}",
        "{\"lang\": \"fr\", \"en\": \"e0\", \"xx\": \"f0\"}",
        "{\"lang\": \"fr\", \"en\": \"e1\", \"xx\": \"f1\"}");
    var embedder = new FakeEmbedders.Table(Map.of(
        "e0", vec(1, 0, 0), "e1", vec(0, 1, 0), "e2", vec(0, 0, 1),
        "x0", vec(1, 0, 0), "x1", vec(0.9f, 0.1f, 0), "x2", vec(0, 0, 1),
        "f0", vec(1, 0, 0), "f1", vec(0, 1, 0)), 3);
    EvaluationResult r = Evaluators.bitext(file, "test", EvaluationConfig.defaults()).evaluate(embedder);
    // label 0: p 1/2 r 1 f 2/3 ; label 1: 0 0 0 ; label 2: 1 1 1 (support 1 each)
    Map<String, Double> de = r.subsets().get("de-en");
    assertEquals(0.5, de.get("precision"), EPS);
    assertEquals(2.0 / 3, de.get("recall"), EPS);
    assertEquals(5.0 / 9, de.get("f1"), EPS);
    assertEquals(2.0 / 3, de.get("accuracy"), EPS);
    assertEquals(1.0, r.subsets().get("fr-en").get("f1"), EPS);
    assertEquals("f1", r.mainScoreName());
    assertEquals((5.0 / 9 + 1) / 2, r.mainScore(), EPS);
    assertEquals(List.of(Prompt.none()), embedder.prompts);

    EvaluationResult both = Evaluators.bitext(file, "test",
        EvaluationConfig.builder().bitextDirection(BitextDirection.BOTH).build()).evaluate(embedder);
    assertEquals(List.of("de-en", "en-de", "fr-en", "en-fr"), List.copyOf(both.subsets().keySet()));
    // en -> de: e0 -> x0 (x0 beats x1: 1 > 0.9), e1 -> x1, e2 -> x2: all right
    assertEquals(1.0, both.subsets().get("en-de").get("accuracy"), EPS);
  }

  @Test
  void bitextSentencePairsAndTiesPickTheFirstTarget() throws IOException {
    Path file = write("pairs.jsonl",
        "{\"sentence1\": \"a\", \"sentence2\": \"A\"}",
        "{\"sentence1\": \"b\", \"sentence2\": \"B\"}");
    // A and B embed identically: both sources pick target 0
    var embedder = new FakeEmbedders.Table(Map.of("a", vec(1), "b", vec(1), "A", vec(1), "B", vec(1)), 1);
    EvaluationResult r = Evaluators.bitext(file, "test", EvaluationConfig.defaults()).evaluate(embedder);
    assertEquals(List.of("sentence1-sentence2"), List.copyOf(r.subsets().keySet()));
    assertEquals(0.5, r.scores().get("accuracy"), EPS);
    assertEquals(0.25, r.scores().get("precision"), EPS); // label 0: p 1/2, label 1: no prediction -> 0
  }

  @Test
  void stsCorrelatesCosineWithGoldLikeScipy() throws IOException {
    double[] gold = {1.0, 2.0, 2.0, 3.5, 5.0, 0.5, 4.0};
    double[] sim = {0.1, 0.4, 0.3, 0.3, 0.9, 0.2, 0.3};
    Map<String, float[]> vectors = new HashMap<>();
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < gold.length; i++) {
      // unit vectors at cosine sim[i] from (1, 0)
      vectors.put("s" + i, vec(1, 0));
      vectors.put("t" + i, vec((float) sim[i], (float) Math.sqrt(1 - sim[i] * sim[i])));
      lines.append("{\"sentence1\": \"s").append(i).append("\", \"sentence2\": \"t").append(i)
          .append("\", \"score\": ").append(gold[i]).append("}\n");
    }
    Files.writeString(dir.resolve("test.jsonl"), lines);
    EvaluationResult r = Evaluators.sts(dir, "test").evaluate(new FakeEmbedders.Table(vectors, 2));
    assertEquals("cosine_spearman", r.mainScoreName());
    assertEquals(0.7479575920067658, r.mainScore(), 1e-6); // scipy spearmanr
    assertEquals(0.757184919287647, r.scores().get("cosine_pearson"), 1e-6); // scipy pearsonr
    // for unit vectors euclidean distance is monotone in cosine: same Spearman
    assertEquals(r.mainScore(), r.scores().get("euclidean_spearman"), 1e-12);
  }

  @Test
  void pairClassificationFollowsMtebsThresholdScan() throws IOException {
    // cosine scores 0.9 (1), 0.8 (0), 0.7 (1), 0.2 (0), 0.1 (1)
    double[] cos = {0.9, 0.8, 0.7, 0.2, 0.1};
    int[] label = {1, 0, 1, 0, 1};
    Map<String, float[]> vectors = new HashMap<>();
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < cos.length; i++) {
      vectors.put("s" + i, vec(1, 0));
      vectors.put("t" + i, vec((float) cos[i], (float) Math.sqrt(1 - cos[i] * cos[i])));
      lines.append("{\"sentence1\": \"s").append(i).append("\", \"sentence2\": \"t").append(i)
          .append("\", \"label\": ").append(label[i]).append("}\n");
    }
    Path file = dir.resolve("pairs.jsonl");
    Files.writeString(file, lines);
    EvaluationResult r = Evaluators.pairClassification(file, "test").evaluate(new FakeEmbedders.Table(vectors, 2));
    // accuracy scan: after 0.9 -> (1 + 2) / 5 = 0.6 (threshold 0.85); after 0.7 -> (2 + 1)/5; after 0.2 -> 2/5 ...
    assertEquals(0.6, r.scores().get("cosine_accuracy"), EPS);
    assertEquals(0.85, r.scores().get("cosine_accuracy_threshold"), 1e-6);
    // f1 scan: after 0.9: p 1 r 1/3 f 0.5; after 0.8: 1/2,1/3; after 0.7: p 2/3 r 2/3 f 2/3; after 0.2: 1/2,2/3 -> 4/7
    assertEquals(2.0 / 3, r.scores().get("cosine_f1"), EPS);
    assertEquals(2.0 / 3, r.scores().get("cosine_precision"), EPS);
    assertEquals(2.0 / 3, r.scores().get("cosine_recall"), EPS);
    assertEquals(0.45, r.scores().get("cosine_f1_threshold"), 1e-6);
    // AP: (1/3)*1 + (1/3)*(2/3) + (1/3)*(3/5)
    assertEquals((1 + 2.0 / 3 + 0.6) / 3, r.scores().get("cosine_ap"), 1e-6);
    assertEquals("max_ap", r.mainScoreName());
    assertEquals(r.scores().get("cosine_ap"), r.scores().get("euclidean_ap"), 1e-6);
    assertEquals(r.scores().get("cosine_ap"), r.mainScore(), 1e-6);
  }

  @Test
  void pairLabelsMustBeZeroOrOne() throws IOException {
    Path file = write("bad.jsonl", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"label\": 2}");
    JsonLinesException e = assertThrows(JsonLinesException.class, () -> Evaluators.pairClassification(file, "test"));
    assertTrue(e.getMessage().contains("bad.jsonl:1: field 'label'"), e.getMessage());
  }

  @Test
  void clusteringRecoversSeparatedGroups() throws IOException {
    Map<String, float[]> vectors = new HashMap<>();
    StringBuilder lines = new StringBuilder();
    for (int l = 0; l < 4; l++) {
      for (int i = 0; i < 10; i++) {
        float[] v = new float[4];
        v[l] = 1;
        v[(l + 1) % 4] = 0.01f * i;
        vectors.put("c" + l + "x" + i, v);
        lines.append("{\"text\": \"c").append(l).append('x').append(i).append("\", \"label\": \"L").append(l)
            .append("\"}\n");
      }
    }
    Files.writeString(dir.resolve("test.jsonl"), lines);
    EvaluationResult r = Evaluators.clustering(dir, "test", EvaluationConfig.defaults())
        .evaluate(new FakeEmbedders.Table(vectors, 4));
    assertEquals("v_measure", r.mainScoreName());
    assertEquals(1.0, r.mainScore(), 1e-12);
    assertEquals(4L, r.counts().get("labels"));
  }

  @Test
  void rerankingMapAndMrrWithSkippedSamples() throws IOException {
    Path file = write("rerank.jsonl",
        // scores: p1 0.5, n1 0.9, p2 0.1, n2 0.3 -> ranking n1 p1 n2 p2: AP (1/2 + 2/4)/2 = 0.5, RR 1/2
        "{\"query\": \"q\", \"positive\": [\"p1\", \"p2\"], \"negative\": [\"n1\", \"n2\"]}",
        // tie between positive and negative: input order, positive first -> RR 1; AP (one threshold) 1/2
        "{\"query\": \"q\", \"positive\": [\"p3\"], \"negative\": [\"n3\"]}",
        "{\"query\": \"q\", \"positive\": [], \"negative\": [\"n1\"]}",
        "{\"query\": [\"q\", \"q2\"], \"positive\": \"p2\", \"negative\": [\"n2\"]}");
    Prompt prompt = Prompt.instruction("rerank");
    Map<String, float[]> vectors = new HashMap<>();
    vectors.put(prompt.apply("q"), vec(1, 0));
    vectors.put(prompt.apply("q2"), vec(0, 1));
    vectors.put("p1", vec(0.5f, (float) Math.sqrt(0.75)));
    vectors.put("n1", vec(0.9f, (float) Math.sqrt(0.19)));
    vectors.put("p2", vec(0.1f, (float) Math.sqrt(0.99)));
    vectors.put("n2", vec(0.3f, (float) Math.sqrt(0.91)));
    vectors.put("p3", vec(1, 0));
    vectors.put("n3", vec(1, 0));
    EvaluationResult r = Evaluators.reranking(file, "test", EvaluationConfig.builder().queryPrompt(prompt).build())
        .evaluate(new FakeEmbedders.Table(vectors, 2));
    // sample 4: max over sub-queries: p2 max(0.1, 0.995) beats n2 max(0.3, 0.954): AP 1, RR 1
    assertEquals((0.5 + 0.5 + 1) / 3, r.scores().get("map"), 1e-6);
    assertEquals((0.5 + 1 + 1) / 3, r.scores().get("mrr_at_10"), 1e-6);
    assertEquals(3L, r.counts().get("samples"));
    assertEquals(1L, r.counts().get("skipped_samples"));
    assertEquals("map", r.mainScoreName());
  }

  @Test
  void fileTasksFindSplitFilesInFoldersAndNameMissingOnes() throws IOException {
    write("dev.jsonl", "{\"sentence1\": \"a\", \"sentence2\": \"b\", \"score\": 1}",
        "{\"sentence1\": \"c\", \"sentence2\": \"d\", \"score\": 2}");
    assertTrue(Evaluators.sts(dir, "dev").name().contains("dev.jsonl"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Evaluators.sts(dir, "test"));
    assertTrue(e.getMessage().contains("has no test.jsonl"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> Evaluators.create(EvaluationTask.STS, dir, "dev", dir.resolve("x"), EvaluationConfig.defaults()));
  }
}
