package dev.kalm.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class ClassificationTest {
  private static final float[][] X = {
    {0.9f, 0.1f, -0.2f, 0.3f}, {0.8f, 0.0f, 0.1f, -0.1f}, {1.0f, 0.2f, 0.0f, 0.0f}, {0.7f, -0.1f, 0.3f, 0.2f},
    {0.1f, 0.9f, 0.2f, -0.3f}, {-0.1f, 0.8f, 0.0f, 0.1f}, {0.0f, 1.1f, -0.2f, 0.0f}, {0.2f, 0.7f, 0.1f, 0.4f},
    {0.0f, 0.1f, 0.9f, 0.2f}, {0.1f, -0.2f, 1.0f, 0.0f}, {-0.2f, 0.0f, 0.8f, -0.1f}, {0.3f, 0.2f, 0.7f, 0.5f}};
  private static final int[] Y = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};
  private static final float[][] TEST = {{0.5f, 0.5f, 0f, 0f}, {0.2f, 0.1f, 0.6f, 0.3f}};

  @TempDir Path dir;

  @Test
  void multinomialLogisticRegressionMatchesTheSklearnObjectiveOptimum() {
    // reference: scipy L-BFGS-B to convergence on mean log-loss + ||W||^2 / (2 C n), C = 1 (sklearn's lbfgs objective)
    LogisticRegression lr = LogisticRegression.fit(X, Y, 3, 1.0, 1000, 1e-10);
    double[][] expected = {{0.27448641940564256, 0.2714331631242016, -0.5459195825298444},
        {-0.1618524935728257, -0.34315437137649196, 0.5050068649493172}};
    for (int t = 0; t < TEST.length; t++) {
      for (int k = 0; k < 3; k++) {
        assertEquals(expected[t][k], lr.decision(TEST[t], k), 1e-5, "test " + t + " class " + k);
      }
    }
    assertEquals(0, lr.predict(TEST[0]));
    assertEquals(2, lr.predict(TEST[1]));
    // with sklearn's stopping rule (max_iter 100, tol 1e-4) the decisions are within 1e-3 of the optimum
    LogisticRegression sklearnLike = LogisticRegression.fit(X, Y, 3, 1.0, 100, LogisticRegression.SKLEARN_TOLERANCE);
    for (int t = 0; t < TEST.length; t++) {
      for (int k = 0; k < 3; k++) {
        assertEquals(expected[t][k], sklearnLike.decision(TEST[t], k), 1e-3);
      }
    }
  }

  @Test
  void binaryLogisticRegressionUsesOneWeightVector() {
    float[][] x = java.util.Arrays.copyOf(X, 8);
    int[] y = java.util.Arrays.copyOf(Y, 8);
    LogisticRegression lr = LogisticRegression.fit(x, y, 2, 1.0, 1000, 1e-10);
    assertEquals(-0.00391807065082489, lr.decision(TEST[0], 0), 1e-5);
    assertEquals(-0.12747735734284896, lr.decision(TEST[1], 0), 1e-5);
    assertEquals(0, lr.predict(TEST[0]));
    assertTrue(lr.iterations() > 0);
  }

  private Path write(String name, String... lines) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, List.of(lines));
    return file;
  }

  /** Texts "<label>-<i>" embed near a per-label direction. */
  private static FakeEmbedders.Table clusteredEmbedder(int labels, int perLabel, Prompt prompt) {
    Map<String, float[]> vectors = new HashMap<>();
    for (int l = 0; l < labels; l++) {
      for (int i = 0; i < perLabel; i++) {
        float[] v = new float[labels];
        v[l] = 1;
        v[(l + 1) % labels] = 0.05f * (i % 5);
        vectors.put(prompt.apply("t" + l + "-" + i), v);
      }
    }
    return new FakeEmbedders.Table(vectors, labels);
  }

  private Path labelled(String name, int labels, int from, int to) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int l = 0; l < labels; l++) {
      for (int i = from; i < to; i++) {
        b.append("{\"text\": \"t").append(l).append('-').append(i).append("\", \"label\": ").append(l).append("}\n");
      }
    }
    Path file = dir.resolve(name);
    Files.writeString(file, b.toString());
    return file;
  }

  @Test
  void separableDataScoresOneAndIsDeterministic() throws IOException {
    labelled("train.jsonl", 3, 0, 20);
    labelled("test.jsonl", 3, 20, 30);
    Prompt prompt = Prompt.instruction("Classify");
    var embedder = clusteredEmbedder(3, 30, prompt);
    EvaluationConfig config = EvaluationConfig.builder().queryPrompt(prompt).build();
    Evaluator eval = Evaluators.classification(dir, "test", null, config);
    EvaluationResult r = eval.evaluate(embedder);
    assertEquals("accuracy", r.mainScoreName());
    assertEquals(1.0, r.mainScore(), 1e-12);
    assertEquals(1.0, r.scores().get("f1"), 1e-12);
    assertEquals(10L, r.counts().get("experiments"));
    assertEquals(24L, r.counts().get("train_per_experiment")); // 8 per label
    assertFalse(r.scores().containsKey("ap"), "ap only for two classes");
    assertEquals(r.scores(), eval.evaluate(embedder).scores());
  }

  /** The per-label size an MTEB task declares (task.json beside the data) is used unless the config sets one. */
  @Test
  void samplesPerLabelComesFromTheDataSetsTaskJson() throws IOException {
    labelled("train.jsonl", 3, 0, 20);
    labelled("test.jsonl", 3, 20, 30);
    var embedder = clusteredEmbedder(3, 30, Prompt.none());
    EvaluationConfig auto = EvaluationConfig.builder().queryPrompt(Prompt.none()).build();
    assertEquals(8L, Evaluators.classification(dir, "test", null, auto).evaluate(embedder).counts().get("samples_per_label"));
    Files.writeString(dir.resolve("task.json"), "{\"name\": \"SomeTask\", \"samples_per_label\": 16}");
    EvaluationResult r = Evaluators.classification(dir, "test", null, auto).evaluate(embedder);
    assertEquals(16L, r.counts().get("samples_per_label"));
    assertEquals(48L, r.counts().get("train_per_experiment"));
    EvaluationConfig four = auto.toBuilder().samplesPerLabel(4).build();
    assertEquals(12L, Evaluators.classification(dir, "test", null, four).evaluate(embedder).counts().get("train_per_experiment"));
    Files.writeString(dir.resolve("task.json"), "{\"samples_per_label\": \"many\"}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Evaluators.classification(dir, "test", null, auto));
    assertTrue(e.getMessage().contains("task.json: field 'samples_per_label'"), e.getMessage());
  }

  @Test
  void binaryClassificationReportsApAndUsesOnlySampledTrainingTexts() throws IOException {
    Path train = labelled("train.jsonl", 2, 0, 40);
    Path test = labelled("eval.jsonl", 2, 40, 50);
    var embedder = clusteredEmbedder(2, 50, Prompt.none());
    EvaluationResult r = Evaluators.classification(test, "test", train,
        EvaluationConfig.builder().experiments(2).samplesPerLabel(4).build()).evaluate(embedder);
    assertEquals(1.0, r.scores().get("ap"), 1e-12);
    assertEquals(2L, r.counts().get("experiments"));
    assertTrue(embedder.embedded.get() <= 2 * 2 * 4 + 20, "embedded " + embedder.embedded.get());
  }

  @Test
  void differentSeedsDrawDifferentTrainingSets() throws IOException {
    labelled("train.jsonl", 2, 0, 40);
    labelled("test.jsonl", 2, 40, 50);
    List<List<String>> sampled = new java.util.ArrayList<>();
    for (long seed : new long[] {1, 2, 1}) {
      var embedder = clusteredEmbedder(2, 50, Prompt.none());
      Evaluators.classification(dir, "test", null, EvaluationConfig.builder().experiments(1).seed(seed).build())
          .evaluate(embedder);
      assertEquals(16 + 20, embedder.seen.size()); // 8 per label, then the 20 test texts
      sampled.add(embedder.seen.subList(0, 16));
    }
    assertFalse(sampled.get(0).equals(sampled.get(1)));
    assertEquals(sampled.get(0), sampled.get(2));
  }

  @Test
  void badLinesNameFileLineAndField() throws IOException {
    write("train.jsonl", "{\"text\": \"a\", \"label\": 1}", "{\"text\": \"b\", \"label\": [1]}");
    write("test.jsonl", "{\"text\": \"a\", \"label\": 1}");
    JsonLinesException e = assertThrows(JsonLinesException.class,
        () -> Evaluators.classification(dir, "test", null, EvaluationConfig.defaults()));
    assertTrue(e.getMessage().contains("train.jsonl:2: field 'label'"), e.getMessage());
  }

  @Test
  void aSingleTrainingLabelIsRejected() throws IOException {
    write("train.jsonl", "{\"text\": \"a\", \"label\": \"x\"}");
    write("test.jsonl", "{\"text\": \"a\", \"label\": \"x\"}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Evaluators.classification(dir, "test", null, EvaluationConfig.defaults()));
    assertTrue(e.getMessage().contains("at least 2 labels"), e.getMessage());
  }

  @Test
  void labelsAreOrderedAsNumpyUnique() {
    assertEquals(List.of("2", "10"), LabelledText.sortedLabels(List.of(
        new LabelledText("a", "10"), new LabelledText("b", "2"), new LabelledText("c", "2"))));
    assertEquals(List.of("10", "2", "x"), LabelledText.sortedLabels(List.of(
        new LabelledText("a", "x"), new LabelledText("b", "2"), new LabelledText("c", "10"))));
  }

  @Test
  void testLabelsUnseenInTrainingCountAsErrorsOfOneLabel() throws IOException {
    labelled("train.jsonl", 2, 0, 20);
    Path test = labelled("test.jsonl", 2, 20, 30);
    Files.writeString(test, "{\"text\": \"t0-20\", \"label\": \"z\"}\n{\"text\": \"t1-20\", \"label\": \"z\"}\n",
        java.nio.file.StandardOpenOption.APPEND);
    EvaluationResult r = Evaluators.classification(dir, "test", null, EvaluationConfig.builder().experiments(2).build())
        .evaluate(clusteredEmbedder(2, 30, Prompt.none()));
    assertEquals(20.0 / 22, r.scores().get("accuracy"), 1e-12);
    // labels 0 and 1: one extra false positive each (p 10/11, r 1, f1 20/21); label z: f1 0
    assertEquals((20.0 / 21 * 2) / 3, r.scores().get("f1"), 1e-12);
  }
}
