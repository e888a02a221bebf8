package dev.kalm.train.eval;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.progress.ProgressListener;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pair classification as MTEB's {@code PairClassificationEvaluator}: for each of cosine similarity,
 * Manhattan distance, Euclidean distance and dot product, sklearn's average precision and the best
 * accuracy and F1 over thresholds midway between consecutive sorted scores (MTEB's scan, ties in input
 * order); {@code max_*} over the four. Main: {@code max_ap}. No prompt on either side.
 */
final class PairClassificationEvaluator implements Evaluator {
  private record Pair(String sentence1, String sentence2, boolean positive) {}

  private final Path file;
  private final String split;
  private final ImmutableList<Pair> pairs;

  PairClassificationEvaluator(Path file, String split) {
    this.file = file;
    this.split = split;
    this.pairs = ImmutableList.copyOf(Readers.readAll(file, PairClassificationEvaluator::parse));
    if (pairs.stream().noneMatch(Pair::positive)) {
      throw Readers.fileError(file, "no pair with label 1: average precision is undefined");
    }
    if (pairs.size() < 2) {
      throw Readers.fileError(file, "pair classification needs at least 2 pairs, got " + pairs.size());
    }
  }

  private static Pair parse(JsonLine l) {
    String label = Readers.label(l, "label");
    if (!label.equals("0") && !label.equals("1")) {
      throw l.error("label", "must be 0 or 1, got " + label);
    }
    return new Pair(l.string("sentence1"), l.string("sentence2"), label.equals("1"));
  }

  @Override
  public EvaluationTask task() {
    return EvaluationTask.PAIR_CLASSIFICATION;
  }

  @Override
  public String name() {
    return "pair " + file + " (" + split + ")";
  }

  @Override
  public EvaluationResult evaluate(Embedder embedder, ProgressListener progress) {
    long start = System.nanoTime();
    int n = pairs.size();
    float[][] v = Embedding.pairs(embedder, progress, pairs, Pair::sentence1, Pair::sentence2);
    boolean[] labels = new boolean[n];
    double[] cosine = new double[n], manhattan = new double[n], euclidean = new double[n], dot = new double[n];
    for (int i = 0; i < n; i++) {
      labels[i] = pairs.get(i).positive();
      cosine[i] = Vectors.cosine(v[i], v[n + i]);
      manhattan[i] = Vectors.manhattan(v[i], v[n + i]);
      euclidean[i] = Vectors.euclidean(v[i], v[n + i]);
      dot[i] = Vectors.dotDouble(v[i], v[n + i]);
    }
    ImmutableMap.Builder<String, Double> scores = ImmutableMap.builder();
    Map<String, Double> max = new LinkedHashMap<>();
    addScores(scores, max, "cosine", cosine, labels, true);
    addScores(scores, max, "manhattan", manhattan, labels, false);
    addScores(scores, max, "euclidean", euclidean, labels, false);
    addScores(scores, max, "dot", dot, labels, true);
    max.forEach((metric, value) -> scores.put("max_" + metric, value));
    long positives = pairs.stream().filter(Pair::positive).count();
    return new EvaluationResult(EvaluationTask.PAIR_CLASSIFICATION, file.toString(), split, "max_ap",
        scores.buildOrThrow(), ImmutableMap.of(), ImmutableMap.of("pairs", (long) n, "positives", positives),
        (System.nanoTime() - start) / 1e9);
  }

  private static void addScores(ImmutableMap.Builder<String, Double> scores, Map<String, Double> max, String name,
      double[] values, boolean[] labels, boolean higherMoreSimilar) {
    double[] acc = bestAccuracy(values, labels, higherMoreSimilar);
    double[] f1 = bestF1(values, labels, higherMoreSimilar);
    double[] signed = values.clone();
    if (!higherMoreSimilar) {
      for (int i = 0; i < signed.length; i++) {
        signed[i] = -signed[i];
      }
    }
    double ap = Metrics.averagePrecision(labels, signed);
    scores.put(name + "_accuracy", acc[0]).put(name + "_accuracy_threshold", acc[1])
        .put(name + "_f1", f1[0]).put(name + "_f1_threshold", f1[3])
        .put(name + "_precision", f1[1]).put(name + "_recall", f1[2]).put(name + "_ap", ap);
    max.merge("accuracy", acc[0], Math::max);
    max.merge("f1", f1[0], Math::max);
    max.merge("precision", f1[1], Math::max);
    max.merge("recall", f1[2], Math::max);
    max.merge("ap", ap, Math::max);
  }

  /** Row indices sorted by score, most similar first; ties keep input order (Python's stable sort). */
  private static Integer[] order(double[] values, boolean higherMoreSimilar) {
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> higherMoreSimilar ? Double.compare(values[b], values[a])
        : Double.compare(values[a], values[b]));
    return order;
  }

  /** MTEB's {@code find_best_acc_and_threshold}: {accuracy, threshold}. */
  static double[] bestAccuracy(double[] values, boolean[] labels, boolean higherMoreSimilar) {
    Integer[] rows = order(values, higherMoreSimilar);
    double best = 0;
    double threshold = -1;
    int positiveSoFar = 0;
    int remainingNegatives = 0;
    for (boolean l : labels) {
      remainingNegatives += l ? 0 : 1;
    }
    for (int i = 0; i < rows.length - 1; i++) {
      if (labels[rows[i]]) {
        positiveSoFar++;
      } else {
        remainingNegatives--;
      }
      double acc = (positiveSoFar + remainingNegatives) / (double) labels.length;
      if (acc > best) {
        best = acc;
        threshold = (values[rows[i]] + values[rows[i + 1]]) / 2;
      }
    }
    return new double[] {best, threshold};
  }

  /** MTEB's {@code find_best_f1_and_threshold}: {f1, precision, recall, threshold}. */
  static double[] bestF1(double[] values, boolean[] labels, boolean higherMoreSimilar) {
    Integer[] rows = order(values, higherMoreSimilar);
    double bestF1 = 0, bestPrecision = 0, bestRecall = 0, threshold = 0;
    int extracted = 0;
    int correct = 0;
    int totalPositive = 0;
    for (boolean l : labels) {
      totalPositive += l ? 1 : 0;
    }
    for (int i = 0; i < rows.length - 1; i++) {
      extracted++;
      if (labels[rows[i]]) {
        correct++;
      }
      if (correct > 0) {
        double precision = correct / (double) extracted;
        double recall = correct / (double) totalPositive;
        double f1 = 2 * precision * recall / (precision + recall);
        if (f1 > bestF1) {
          bestF1 = f1;
          bestPrecision = precision;
          bestRecall = recall;
          threshold = (values[rows[i]] + values[rows[i + 1]]) / 2;
        }
      }
    }
    return new double[] {bestF1, bestPrecision, bestRecall, threshold};
  }
}
