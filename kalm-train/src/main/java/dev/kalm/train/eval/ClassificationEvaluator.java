package dev.kalm.train.eval;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.Prompt;
import dev.kalm.core.progress.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * Classification as MTEB's {@code AbsTaskClassification} with its {@code logReg} evaluator: in each of
 * {@code experiments} runs the training indices are reshuffled (one generator, shuffles accumulate as in
 * MTEB) and the first {@code samplesPerLabel} texts of each label are kept (the data set's {@code task.json}
 * size when the config leaves it automatic, as each MTEB task declares its own); a logistic regression (sklearn
 * defaults, {@code max_iter}) is fitted on their embeddings and scored on the whole test set; scores are
 * means over the runs. Texts are query-side (they get the query prompt).
 */
final class ClassificationEvaluator implements Evaluator {
  private final Path trainFile;
  private final Path testFile;
  private final String split;
  private final EvaluationConfig config;
  private final ImmutableList<LabelledText> train;
  private final ImmutableList<LabelledText> test;
  private final ImmutableList<String> classes;
  private final int samplesPerLabel;

  ClassificationEvaluator(Path trainFile, Path testFile, String split, EvaluationConfig config) {
    this.trainFile = trainFile;
    this.testFile = testFile;
    this.split = split;
    this.config = config;
    this.train = ImmutableList.copyOf(Readers.readAll(trainFile, LabelledText::parse));
    this.test = ImmutableList.copyOf(Readers.readAll(testFile, LabelledText::parse));
    this.classes = LabelledText.sortedLabels(train);
    if (classes.size() < 2) {
      throw Readers.fileError(trainFile, "classification needs at least 2 labels, got " + classes);
    }
    if (test.isEmpty()) {
      throw Readers.fileError(testFile, "no test examples");
    }
    this.samplesPerLabel = config.samplesPerLabel() != EvaluationConfig.AUTO_SAMPLES_PER_LABEL
        ? config.samplesPerLabel() : declaredSamplesPerLabel(testFile);
  }

  /**
   * The {@code samples_per_label} of the {@code task.json} beside the test file (how an MTEB task states its
   * own: 8 by default, 16 or 32 for some), else MTEB's default.
   */
  private static int declaredSamplesPerLabel(Path testFile) {
    Path task = testFile.toAbsolutePath().resolveSibling("task.json");
    if (!Files.isRegularFile(task)) {
      return EvaluationConfig.DEFAULT_SAMPLES_PER_LABEL;
    }
    JsonObject json;
    try {
      json = JsonParser.parseString(Files.readString(task, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + task + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw Readers.fileError(task, "not a JSON object: " + e.getMessage());
    }
    if (!json.has("samples_per_label")) {
      return EvaluationConfig.DEFAULT_SAMPLES_PER_LABEL;
    }
    JsonElement value = json.get("samples_per_label");
    if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber() || value.getAsDouble() != value.getAsInt()
        || value.getAsInt() < 1) {
      throw Readers.fileError(task, "field 'samples_per_label' must be an integer >= 1, got " + value);
    }
    return value.getAsInt();
  }

  @Override
  public EvaluationTask task() {
    return EvaluationTask.CLASSIFICATION;
  }

  @Override
  public String name() {
    return "classification " + testFile + " (" + split + ")";
  }

  @Override
  public EvaluationResult evaluate(Embedder embedder, ProgressListener progress) {
    long start = System.nanoTime();
    List<List<Integer>> runs = undersample();
    TreeSet<Integer> used = new TreeSet<>();
    runs.forEach(used::addAll);
    List<String> trainTexts = new ArrayList<>();
    used.forEach(i -> trainTexts.add(train.get(i).text()));
    List<String> testTexts = new ArrayList<>(test.size());
    test.forEach(t -> testTexts.add(t.text()));
    Prompt prompt = config.queryPromptFor(embedder);
    Embedding embedding = new Embedding(embedder, progress,
        (long) Embedding.distinct(trainTexts) + Embedding.distinct(testTexts));
    float[][] trainVectors = embedding.embed(trainTexts, prompt);
    Map<Integer, float[]> byIndex = new HashMap<>();
    int row = 0;
    for (int i : used) {
      byIndex.put(i, trainVectors[row++]);
    }
    float[][] testVectors = embedding.embed(testTexts, prompt);

    Map<String, Integer> classIndex = new HashMap<>();
    for (int c = 0; c < classes.size(); c++) {
      classIndex.put(classes.get(c), c);
    }
    Map<String, Integer> unseen = new HashMap<>(); // test labels absent from training: never predicted
    int[] truth = new int[test.size()];
    for (int i = 0; i < truth.length; i++) {
      String label = test.get(i).label();
      Integer known = classIndex.get(label);
      truth[i] = known != null ? known : unseen.computeIfAbsent(label, l -> classes.size() + unseen.size());
    }
    Map<String, Double> sums = new LinkedHashMap<>();
    for (List<Integer> run : runs) {
      float[][] x = new float[run.size()][];
      int[] y = new int[run.size()];
      for (int j = 0; j < run.size(); j++) {
        x[j] = byIndex.get(run.get(j));
        y[j] = classIndex.get(train.get(run.get(j)).label());
      }
      LogisticRegression model = LogisticRegression.fit(x, y, classes.size(), 1.0, config.maxIterations(),
          LogisticRegression.SKLEARN_TOLERANCE);
      int[] predicted = new int[testVectors.length];
      for (int i = 0; i < predicted.length; i++) {
        predicted[i] = model.predict(testVectors[i]);
      }
      Metrics.LabelScores s = Metrics.labelScores(truth, predicted);
      sums.merge("accuracy", s.accuracy(), Double::sum);
      sums.merge("f1", s.macroF1(), Double::sum);
      sums.merge("f1_weighted", s.weightedF1(), Double::sum);
      if (classes.size() == 2) {
        boolean[] positive = new boolean[truth.length];
        double[] score = new double[truth.length];
        for (int i = 0; i < truth.length; i++) {
          positive[i] = truth[i] == 1;
          score[i] = predicted[i] == 1 ? 1 : 0;
        }
        double ap = Metrics.averagePrecision(positive, score);
        sums.merge("ap", ap, Double::sum);
        sums.merge("ap_weighted", ap, Double::sum);
      }
    }
    ImmutableMap.Builder<String, Double> scores = ImmutableMap.builder();
    sums.forEach((k, v) -> scores.put(k, v / runs.size()));
    ImmutableMap<String, Long> counts = ImmutableMap.of("train", (long) train.size(), "test", (long) test.size(),
        "labels", (long) classes.size(), "experiments", (long) runs.size(),
        "train_per_experiment", (long) runs.get(0).size(), "samples_per_label", (long) samplesPerLabel);
    return new EvaluationResult(EvaluationTask.CLASSIFICATION, testFile.toString(), split, "accuracy",
        scores.buildOrThrow(), ImmutableMap.of(), counts, (System.nanoTime() - start) / 1e9);
  }

  /** MTEB's {@code _undersample_data}, once per experiment, with the index order shuffled cumulatively. */
  private List<List<Integer>> undersample() {
    Random random = new Random(config.seed());
    List<Integer> order = new ArrayList<>(train.size());
    for (int i = 0; i < train.size(); i++) {
      order.add(i);
    }
    List<List<Integer>> runs = new ArrayList<>(config.experiments());
    for (int e = 0; e < config.experiments(); e++) {
      Collections.shuffle(order, random);
      Map<String, Integer> taken = new HashMap<>();
      List<Integer> run = new ArrayList<>();
      for (int i : order) {
        String label = train.get(i).label();
        if (taken.getOrDefault(label, 0) < samplesPerLabel) {
          run.add(i);
          taken.merge(label, 1, Integer::sum);
        }
      }
      runs.add(run);
    }
    return runs;
  }
}
