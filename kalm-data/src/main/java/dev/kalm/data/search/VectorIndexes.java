package dev.kalm.data.search;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The factory of {@link VectorIndex}: one exact index, two kernels ({@link SearchConfig.Kernel}). Both
 * return the same documents in the same order for the same scores (score descending, then lower id);
 * their scores agree within {@link #KERNEL_TOLERANCE} for unit-length vectors, exactly when every
 * product and partial sum is exact in float32. Thread-safe.
 *
 * <pre>{@code
 * VectorIndex fast = VectorIndexes.exact(docs);                                    // DJL matmul, CPU
 * VectorIndex exact = VectorIndexes.exact(docs, SearchConfig.deterministic());     // plain Java
 * }</pre>
 */
public final class VectorIndexes {
  /**
   * Largest difference between the two kernels' scores of the same pair of unit-length vectors seen
   * in the agreement test (up to dimension 1024), with a margin: float32 rounding of sums in different
   * orders, {@code dimension * 2^-24}-ish in the worst case, far less in practice.
   */
  public static final float KERNEL_TOLERANCE = 1e-5f;

  private VectorIndexes() {}

  /**
   * An exact index over a copy of {@code docs} with {@link SearchConfig#defaults()} (matmul kernel, CPU).
   *
   * @throws IllegalArgumentException when {@code docs} is empty or its rows differ in length
   */
  public static VectorIndex exact(float[][] docs) {
    return exact(docs, SearchConfig.defaults());
  }

  /**
   * An exact index over a copy of {@code docs} computing with {@code config.kernel()}:
   * {@link SearchConfig.Kernel#MATMUL} runs blocked matrix products on {@code config.backend()} with a
   * running top-k per query (device memory bounded by the block sizes, not the corpus size);
   * {@link SearchConfig.Kernel#JAVA} runs the deterministic plain-Java kernel on the CPU.
   *
   * @throws IllegalArgumentException when {@code docs} is empty or its rows differ in length
   */
  public static VectorIndex exact(float[][] docs, SearchConfig config) {
    checkNotNull(config, "config");
    return switch (config.kernel()) {
      case MATMUL -> new MatmulVectorIndex(docs, config);
      case JAVA -> new JavaVectorIndex(docs, config);
    };
  }
}
