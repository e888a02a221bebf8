package dev.kalm.train.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Hand-computed cases of the pytrec_eval / MTEB definitions. */
class RetrievalMetricsTest {
  private static final double EPS = 1e-12;
  private static final int[] KS = {1, 3, 5, 10, 1000};

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Test
  void binaryRelevanceWithAnUnretrievedRelevantDocument() {
    // retrieved: non-rel, rel, non-rel, rel; 3 relevant judgments (one never retrieved)
    double[][] m = RetrievalMetrics.compute(new int[] {0, 1, 0, 1}, new int[] {1, 1, 1, 0}, KS);
    double idcg3 = 1 + 1 / log2(3) + 1 / log2(4);
    assertEquals(0, m[RetrievalMetrics.NDCG][0], EPS);
    assertEquals((1 / log2(3)) / idcg3, m[RetrievalMetrics.NDCG][1], EPS);
    assertEquals(0.2960819109658652, m[RetrievalMetrics.NDCG][1], 1e-15);
    assertEquals((1 / log2(3) + 1 / log2(5)) / idcg3, m[RetrievalMetrics.NDCG][2], EPS);
    // map_cut divides by all 3 relevant: (1/2 + 2/4) / 3
    assertEquals(0.5 / 3, m[RetrievalMetrics.MAP][1], EPS);
    assertEquals((0.5 + 0.5) / 3, m[RetrievalMetrics.MAP][2], EPS);
    assertEquals(1.0 / 3, m[RetrievalMetrics.RECALL][1], EPS);
    assertEquals(2.0 / 3, m[RetrievalMetrics.RECALL][4], EPS);
    assertEquals(1.0 / 3, m[RetrievalMetrics.PRECISION][1], EPS);
    assertEquals(0, m[RetrievalMetrics.MRR][0], EPS);
    assertEquals(0.5, m[RetrievalMetrics.MRR][1], EPS);
  }

  @Test
  void gradedRelevanceUsesLinearGainAndTheIdealOfAllJudgments() {
    // retrieved grades 1, 2, 0; judged grades 2 and 1
    double[][] m = RetrievalMetrics.compute(new int[] {1, 2, 0}, new int[] {2, 1}, KS);
    assertEquals(0.5, m[RetrievalMetrics.NDCG][0], EPS);                       // 1 / 2
    assertEquals((1 + 2 / log2(3)) / (2 + 1 / log2(3)), m[RetrievalMetrics.NDCG][1], EPS);
    assertEquals(0.8597186998521972, m[RetrievalMetrics.NDCG][1], 1e-15);
    assertEquals(1.0, m[RetrievalMetrics.MAP][1], EPS);                        // both relevant on top
    assertEquals(1.0, m[RetrievalMetrics.MRR][0], EPS);
  }

  @Test
  void cutoffsBeyondTheRetrievedListKeepDividingByK() {
    double[][] m = RetrievalMetrics.compute(new int[] {1}, new int[] {1}, KS);
    assertEquals(0.1, m[RetrievalMetrics.PRECISION][3], EPS);
    assertEquals(0.001, m[RetrievalMetrics.PRECISION][4], EPS);
    assertEquals(1.0, m[RetrievalMetrics.RECALL][4], EPS);
    assertEquals(1.0, m[RetrievalMetrics.NDCG][4], EPS);
    assertEquals(1.0, m[RetrievalMetrics.MAP][4], EPS);
  }

  @Test
  void zeroAndNegativeGradesAreNotRelevant() {
    double[][] m = RetrievalMetrics.compute(new int[] {0, -1, 3}, new int[] {0, -1, 3}, KS);
    assertEquals(3 / log2(4) / 3, m[RetrievalMetrics.NDCG][1], EPS);
    assertEquals(1.0 / 3, m[RetrievalMetrics.MRR][1], EPS);
    assertEquals(1.0 / 3, m[RetrievalMetrics.MAP][1], EPS);
    assertEquals(1.0, m[RetrievalMetrics.RECALL][1], EPS);
  }
}
