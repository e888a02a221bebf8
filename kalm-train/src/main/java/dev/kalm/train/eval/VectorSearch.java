package dev.kalm.train.eval;

/**
 * Exact top-k search by dot product; the retrieval, bitext and reranking evaluators use it through this
 * interface so that the implementation can be swapped (e.g. for a blocked search on the DJL backend).
 *
 * <p>Contract every implementation keeps: for each query, the {@code min(k, docs.length)} documents with
 * the highest dot product, best first; among equal scores the LOWER document index comes first (the
 * evaluators order documents so that this reproduces trec_eval's tie-breaking). Scores are float32.
 * Memory must be bounded by block sizes, not by {@code queries.length * docs.length}. Deterministic.
 */
interface VectorSearch {

  /** The hits of one query, best first: document indices and their scores. */
  record Hits(int[] docs, float[] scores) {
    int size() {
      return docs.length;
    }
  }

  /** The best {@code k} documents for each query. All vectors have the same length. */
  Hits[] search(float[][] queries, float[][] docs, int k);

  /** The plain-Java implementation. */
  static VectorSearch exact() {
    return new ExactTopKSearch(64, 64);
  }
}
