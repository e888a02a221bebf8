package dev.kalm.data.search;

/** Factories for {@link VectorIndex}. Thread-safe. */
public final class VectorIndexes {
  private VectorIndexes() {}

  /**
   * An exact index over a copy of {@code docs} with {@link SearchConfig#defaults()} (CPU).
   *
   * @throws IllegalArgumentException when {@code docs} is empty or its rows differ in length
   */
  public static VectorIndex exact(float[][] docs) {
    return exact(docs, SearchConfig.defaults());
  }

  /**
   * An exact index over a copy of {@code docs}: every search computes all query-document inner
   * products as blocked matrix products on {@code config.backend()}, keeping a running top-k per query;
   * device memory is bounded by the block sizes, not by the corpus size.
   *
   * @throws IllegalArgumentException when {@code docs} is empty or its rows differ in length
   */
  public static VectorIndex exact(float[][] docs, SearchConfig config) {
    return new ExactVectorIndex(docs, config);
  }
}
