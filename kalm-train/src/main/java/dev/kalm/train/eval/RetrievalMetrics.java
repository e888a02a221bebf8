package dev.kalm.train.eval;

/**
 * Per-query retrieval metrics as pytrec_eval (trec_eval 9) and MTEB compute them. Stateless.
 *
 * <ul>
 *   <li>relevant: a relevance grade {@code >= 1} (trec_eval's default {@code -l 1}); {@code numRel} counts
 *       the relevant judgments of the query, retrieved or not;
 *   <li>{@code ndcg_cut.k}: gain = the grade itself (linear), discount {@code log2(rank + 1)}, ideal DCG
 *       from all the query's judged grades {@code > 0} sorted descending, 0 when the ideal is 0;
 *   <li>{@code map_cut.k}: sum of precision at each relevant rank {@code <= k}, divided by {@code numRel};
 *   <li>{@code recall.k}: relevant retrieved in the top k over {@code numRel};
 *   <li>{@code P.k}: relevant retrieved in the top k over k (also when fewer than k were retrieved);
 *   <li>MTEB's {@code MRR@k}: 1 / rank of the first relevant document in the top k, else 0.
 * </ul>
 */
final class RetrievalMetrics {
  /** The cut-offs MTEB reports. */
  static final int[] K_VALUES = {1, 3, 5, 10, 100, 1000};
  /** Metric families in report order; index into the first dimension of {@link #compute}'s result. */
  static final String[] NAMES = {"ndcg", "map", "recall", "precision", "mrr"};
  static final int NDCG = 0, MAP = 1, RECALL = 2, PRECISION = 3, MRR = 4;

  private RetrievalMetrics() {}

  /**
   * Metrics of one query.
   *
   * @param ranked the grade of each retrieved document in rank order (0 when not judged)
   * @param judged the grades of all the query's judgments (any order; grades {@code <= 0} are ignored)
   * @param ks cut-offs
   * @return {@code [family][cutoff]} with families as in {@link #NAMES}
   */
  static double[][] compute(int[] ranked, int[] judged, int[] ks) {
    int[] ideal = java.util.Arrays.stream(judged).filter(g -> g > 0).boxed()
        .sorted(java.util.Comparator.reverseOrder()).mapToInt(Integer::intValue).toArray();
    int numRel = ideal.length;
    double[][] out = new double[NAMES.length][ks.length];
    for (int c = 0; c < ks.length; c++) {
      int k = ks[c];
      int n = Math.min(k, ranked.length);
      double dcg = 0;
      double sumPrecision = 0;
      int relRet = 0;
      int firstRel = -1;
      for (int i = 0; i < n; i++) {
        int g = ranked[i];
        if (g > 0) {
          dcg += g / log2(i + 2);
        }
        if (g >= 1) {
          relRet++;
          sumPrecision += relRet / (double) (i + 1);
          if (firstRel < 0) {
            firstRel = i;
          }
        }
      }
      double idcg = 0;
      for (int i = 0; i < Math.min(k, ideal.length); i++) {
        idcg += ideal[i] / log2(i + 2);
      }
      out[NDCG][c] = idcg > 0 ? dcg / idcg : 0;
      out[MAP][c] = numRel > 0 ? sumPrecision / numRel : 0;
      out[RECALL][c] = numRel > 0 ? relRet / (double) numRel : 0;
      out[PRECISION][c] = relRet / (double) k;
      out[MRR][c] = firstRel >= 0 ? 1.0 / (firstRel + 1) : 0;
    }
    return out;
  }

  private static double log2(int x) {
    return Math.log(x) / Math.log(2);
  }
}
