package dev.kalm.data.search;

import dev.kalm.core.progress.ProgressListener;

/**
 * A set of document vectors that answers top-k inner-product queries. With L2-normalised vectors the
 * inner product is the cosine similarity. Document ids are the 0-based row numbers of the vectors the
 * index was built from. Create one with {@link VectorIndexes#exact(float[][], SearchConfig)}: the fast
 * matmul kernel or the deterministic Java kernel ({@link SearchConfig.Kernel}) behind this one interface.
 *
 * <p>Ranking rule of every implementation: score descending, equal scores ({@code ==}) by lower id; the
 * per-query lists of a search split into blocks of documents merge to the whole search's list with
 * {@link TopHits#merge}. Implementations pass kalm-data's {@code VectorIndexContract} test.
 *
 * <p>Thread safety: implementations are immutable and safe for concurrent searches.
 *
 * <pre>{@code
 * VectorIndex index = VectorIndexes.exact(docEmbeddings);
 * SearchResults top = index.search(queryEmbeddings, 100);
 * int best = top.id(0, 0);
 * }</pre>
 */
public interface VectorIndex {
  /** Number of documents. */
  int size();

  /** Number of components of every vector. */
  int dimension();

  /** Same as {@link #search(float[][], int, ProgressListener)} without progress. */
  default SearchResults search(float[][] queries, int k) {
    return search(queries, k, ProgressListener.NONE);
  }

  /**
   * The {@code min(k, size())} documents with the largest inner product for each query, best first;
   * equal scores are ordered by lower document id. Progress is reported in queries done.
   *
   * @throws IllegalArgumentException when {@code k < 1} or a query's length is not {@link #dimension()}
   */
  SearchResults search(float[][] queries, int k, ProgressListener progress);

  /**
   * The inner product of {@code vector} with document {@code id}, computed in Java: with the Java kernel
   * bit-identical to the score a search gives that document; with the matmul kernel accumulated in double
   * (within {@link VectorIndexes#KERNEL_TOLERANCE} of the search's score for unit-length vectors).
   *
   * @throws IllegalArgumentException when {@code vector}'s length is not {@link #dimension()} or {@code id}
   *     is not in {@code [0, size())}
   */
  float score(float[] vector, int id);
}
