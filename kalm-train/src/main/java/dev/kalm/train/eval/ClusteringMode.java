package dev.kalm.train.eval;

/** How the clustering evaluator scores a set of labelled texts. */
public enum ClusteringMode {
  /**
   * As MTEB 2.x ({@code mteb/abstasks/clustering.py}): 10 bootstrap samples of 16,384 draws with
   * replacement, k-means (k-means++, one run) on each, V-measure averaged over the samples; texts with a
   * {@code set} field are scored per set (k-means on the whole set) and averaged over sets, as MTEB's
   * multi-set (legacy) clustering tasks. The default.
   */
  BOOTSTRAP,
  /**
   * kalm's earlier scoring: k-means with {@link EvaluationConfig#clusteringRestarts()} restarts (lowest
   * inertia kept) on every text at once (per set when sets are given), V-measure of that one clustering.
   */
  FULL_SET
}
