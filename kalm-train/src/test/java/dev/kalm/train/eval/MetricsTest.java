package dev.kalm.train.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {
  private static final double EPS = 1e-12;

  @Test
  void averagePrecisionGroupsTiedScoresIntoOneThreshold() {
    // thresholds 0.9 (P 1, R 1/3), 0.8 (P 2/3, R 2/3), 0.3 (P 1/2, R 2/3), 0.1 (P 3/5, R 1)
    boolean[] positive = {true, false, true, false, true};
    double[] score = {0.9, 0.8, 0.8, 0.3, 0.1};
    assertEquals((1 + 2.0 / 3 + 0.6) / 3, Metrics.averagePrecision(positive, score), EPS);
  }

  @Test
  void averagePrecisionOfAPerfectRankingIsOneAndOfNoPositiveIsNaN() {
    assertEquals(1.0, Metrics.averagePrecision(new boolean[] {false, true, true}, new double[] {0.1, 0.5, 0.7}), EPS);
    assertTrue(Double.isNaN(Metrics.averagePrecision(new boolean[] {false, false}, new double[] {0.1, 0.5})));
    // all scores tied: one threshold, AP = precision = positives / n
    assertEquals(0.5, Metrics.averagePrecision(new boolean[] {true, false, true, false}, new double[] {1, 1, 1, 1}), EPS);
  }

  @Test
  void correlationsMatchScipy() {
    double[] gold = {1.0, 2.0, 2.0, 3.5, 5.0, 0.5, 4.0};
    double[] sim = {0.1, 0.4, 0.3, 0.3, 0.9, 0.2, 0.3};
    // scipy.stats.pearsonr / spearmanr (1.17.1)
    assertEquals(0.757184919287647, Metrics.pearson(gold, sim), 1e-12);
    assertEquals(0.7479575920067658, Metrics.spearman(gold, sim), 1e-12);
    assertArrayEquals(new double[] {1, 6, 4, 4, 7, 2, 4}, Metrics.averageRanks(sim), EPS);
    assertTrue(Double.isNaN(Metrics.pearson(gold, new double[] {1, 1, 1, 1, 1, 1, 1})));
  }

  @Test
  void labelScoresMatchSklearnMacroAndWeighted() {
    // truth 0 0 1 1 2 ; predicted 0 1 1 1 0
    // label 0: tp 1, pred 2, true 2 -> p .5 r .5 f .5 ; label 1: tp 2, pred 3, true 2 -> p 2/3 r 1 f .8 ;
    // label 2: tp 0, pred 0, true 1 -> 0 0 0
    Metrics.LabelScores s = Metrics.labelScores(new int[] {0, 0, 1, 1, 2}, new int[] {0, 1, 1, 1, 0});
    assertEquals(0.6, s.accuracy(), EPS);
    assertEquals((0.5 + 2.0 / 3) / 3, s.macroPrecision(), EPS);
    assertEquals((0.5 + 1) / 3, s.macroRecall(), EPS);
    assertEquals((0.5 + 0.8) / 3, s.macroF1(), EPS);
    assertEquals((2 * 0.5 + 2 * 2.0 / 3) / 5, s.weightedPrecision(), EPS);
    assertEquals((2 * 0.5 + 2 * 1.0) / 5, s.weightedRecall(), EPS);
    assertEquals((2 * 0.5 + 2 * 0.8) / 5, s.weightedF1(), EPS);
  }

  @Test
  void macroAveragingCountsLabelsThatAreOnlyPredicted() {
    // label 9 never true: p 0, r 0, f 0 counts in the macro mean (sklearn uses the union of labels)
    Metrics.LabelScores s = Metrics.labelScores(new int[] {0, 1}, new int[] {0, 9});
    assertEquals(1.0 / 3, s.macroF1(), EPS);
    assertEquals(0.5, s.weightedF1(), EPS);
  }

  @Test
  void vMeasureMatchesTheEntropyDefinition() {
    Metrics.ClusterScores s = Metrics.clusterScores(new int[] {0, 0, 0, 1, 1, 1}, new int[] {0, 0, 1, 1, 2, 2});
    assertEquals(0.6666666666666666, s.homogeneity(), 1e-12);
    assertEquals(0.420619835714305, s.completeness(), 1e-12);
    assertEquals(0.5158037429793888, s.vMeasure(), 1e-12);
    // label permutation does not matter; one cluster for one class is perfect
    assertEquals(1.0, Metrics.clusterScores(new int[] {0, 0, 1, 1}, new int[] {7, 7, 3, 3}).vMeasure(), EPS);
    // a single cluster for two classes: homogeneity 0 -> v 0
    assertEquals(0.0, Metrics.clusterScores(new int[] {0, 0, 1, 1}, new int[] {5, 5, 5, 5}).vMeasure(), EPS);
  }
}
