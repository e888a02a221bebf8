package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Metrics as scikit-learn and scipy define them (names given per method). Stateless. */
final class Metrics {
  private Metrics() {}

  /**
   * sklearn's {@code average_precision_score(y_true, y_score)}: {@code sum_n (R_n - R_{n-1}) P_n} over the
   * distinct score thresholds in decreasing order (tied scores form one threshold). NaN when there is no
   * positive.
   */
  static double averagePrecision(boolean[] positive, double[] score) {
    checkArgument(positive.length == score.length, "positive and score sizes differ: %s vs %s",
        positive.length, score.length);
    int n = score.length;
    int totalPositive = 0;
    for (boolean p : positive) {
      totalPositive += p ? 1 : 0;
    }
    if (totalPositive == 0) {
      return Double.NaN;
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
    double ap = 0;
    double previousRecall = 0;
    int tp = 0;
    for (int i = 0; i < n; i++) {
      if (positive[order[i]]) {
        tp++;
      }
      boolean thresholdEnds = i == n - 1 || score[order[i + 1]] != score[order[i]];
      if (thresholdEnds) {
        double recall = tp / (double) totalPositive;
        double precision = tp / (double) (i + 1);
        ap += (recall - previousRecall) * precision;
        previousRecall = recall;
      }
    }
    return ap;
  }

  /** scipy's {@code pearsonr} statistic; NaN when either input is constant. */
  static double pearson(double[] x, double[] y) {
    checkArgument(x.length == y.length, "x and y sizes differ: %s vs %s", x.length, y.length);
    int n = x.length;
    double mx = 0, my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < n; i++) {
      double dx = x[i] - mx, dy = y[i] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    if (sxx == 0 || syy == 0) {
      return Double.NaN;
    }
    double r = sxy / Math.sqrt(sxx * syy);
    return Math.max(-1, Math.min(1, r));
  }

  /** scipy's {@code spearmanr} statistic: Pearson of the ranks, ties given their average rank. */
  static double spearman(double[] x, double[] y) {
    return pearson(averageRanks(x), averageRanks(y));
  }

  /** scipy's {@code rankdata(method="average")}: 1-based ranks, tied values share their mean rank. */
  static double[] averageRanks(double[] v) {
    int n = v.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
    double[] ranks = new double[n];
    int i = 0;
    while (i < n) {
      int j = i;
      while (j + 1 < n && v[order[j + 1]] == v[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int t = i; t <= j; t++) {
        ranks[order[t]] = rank;
      }
      i = j + 1;
    }
    return ranks;
  }

  /**
   * Multi-class precision, recall and F1 as sklearn's {@code precision_recall_fscore_support} with
   * {@code zero_division=0}, over the labels present in {@code truth} or {@code predicted}.
   */
  record LabelScores(double accuracy, double macroPrecision, double macroRecall, double macroF1,
      double weightedPrecision, double weightedRecall, double weightedF1) {}

  static LabelScores labelScores(int[] truth, int[] predicted) {
    checkArgument(truth.length == predicted.length, "truth and predicted sizes differ: %s vs %s",
        truth.length, predicted.length);
    checkArgument(truth.length > 0, "no samples");
    Map<Integer, int[]> stats = new HashMap<>(); // label -> {tp, predicted count, true count}
    int correct = 0;
    for (int i = 0; i < truth.length; i++) {
      stats.computeIfAbsent(truth[i], k -> new int[3])[2]++;
      stats.computeIfAbsent(predicted[i], k -> new int[3])[1]++;
      if (truth[i] == predicted[i]) {
        stats.get(truth[i])[0]++;
        correct++;
      }
    }
    double mp = 0, mr = 0, mf = 0, wp = 0, wr = 0, wf = 0;
    for (int[] s : stats.values()) {
      double p = s[1] == 0 ? 0 : s[0] / (double) s[1];
      double r = s[2] == 0 ? 0 : s[0] / (double) s[2];
      double denominator = 2.0 * s[0] + (s[1] - s[0]) + (s[2] - s[0]);
      double f = denominator == 0 ? 0 : 2.0 * s[0] / denominator;
      mp += p;
      mr += r;
      mf += f;
      wp += p * s[2];
      wr += r * s[2];
      wf += f * s[2];
    }
    int labels = stats.size();
    int n = truth.length;
    return new LabelScores(correct / (double) n, mp / labels, mr / labels, mf / labels, wp / n, wr / n, wf / n);
  }

  /** Homogeneity, completeness and V-measure (beta 1) as sklearn's {@code homogeneity_completeness_v_measure}. */
  record ClusterScores(double homogeneity, double completeness, double vMeasure) {}

  static ClusterScores clusterScores(int[] truth, int[] clusters) {
    checkArgument(truth.length == clusters.length, "truth and clusters sizes differ: %s vs %s",
        truth.length, clusters.length);
    int n = truth.length;
    if (n == 0) {
      return new ClusterScores(1, 1, 1);
    }
    Map<Integer, Integer> classCount = new HashMap<>();
    Map<Integer, Integer> clusterCount = new HashMap<>();
    Map<Long, Integer> joint = new HashMap<>();
    for (int i = 0; i < n; i++) {
      classCount.merge(truth[i], 1, Integer::sum);
      clusterCount.merge(clusters[i], 1, Integer::sum);
      joint.merge(((long) truth[i] << 32) ^ (clusters[i] & 0xffffffffL), 1, Integer::sum);
    }
    double hc = entropy(classCount, n);
    double hk = entropy(clusterCount, n);
    double mi = 0;
    for (Map.Entry<Long, Integer> e : joint.entrySet()) {
      int c = (int) (e.getKey() >> 32);
      int k = (int) (long) e.getKey();
      double nck = e.getValue();
      mi += nck / n * (Math.log(nck * n) - Math.log((double) classCount.get(c) * clusterCount.get(k)));
    }
    mi = Math.max(mi, 0);
    double h = hc == 0 ? 1 : mi / hc;
    double comp = hk == 0 ? 1 : mi / hk;
    double v = h + comp == 0 ? 0 : 2 * h * comp / (h + comp);
    return new ClusterScores(h, comp, v);
  }

  private static double entropy(Map<Integer, Integer> counts, int n) {
    double h = 0;
    for (int c : counts.values()) {
      double p = c / (double) n;
      h -= p * Math.log(p);
    }
    return h;
  }
}
