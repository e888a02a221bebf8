package dev.kalm.data.search;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kalm.core.device.Backend;
import dev.kalm.core.device.Backends;

/**
 * How an exact {@link VectorIndex} computes: the kernel, block sizes and the device. Immutable; build with
 * {@link #builder()} (the builder starts from {@link #defaults()}).
 *
 * <p>With {@link Kernel#MATMUL} the device holds about {@code 4 * (queryBlock + docBlock) * dimension +
 * 8 * queryBlock * docBlock} bytes at a time, whatever the corpus size. With {@link Kernel#JAVA} each
 * worker thread holds one {@code queryBlock x docBlock} float tile plus {@code k} hits per query.
 *
 * @param queryBlock queries scored together, at least 1
 * @param docBlock documents scored together, at least 1
 * @param backend the device the matrix products run on ({@link Kernel#MATMUL} only; the Java kernel
 *     always runs on the CPU)
 * @param kernel how the inner products are computed
 */
public record SearchConfig(int queryBlock, int docBlock, Backend backend, Kernel kernel) {
  /** Default queries per block of the matmul kernel. */
  public static final int DEFAULT_QUERY_BLOCK = 1024;
  /** Default documents per block of the matmul kernel. */
  public static final int DEFAULT_DOC_BLOCK = 16384;
  /** Default block size (queries and documents) of the Java kernel: a 16 KiB tile, cache-resident. */
  public static final int DEFAULT_JAVA_BLOCK = 64;

  /** The two ways an exact index computes its scores. Both return the same ranking rule. */
  public enum Kernel {
    /**
     * Fast: blocked matrix products {@code Q · Dᵀ} on the backend (DJL, BLAS), top-k per block on the
     * device, merged in Java. A score may differ from the exact float32 dot product in the last bits,
     * and may differ between block shapes, thread counts and devices. For mining and {@code kalm search}.
     */
    MATMUL,
    /**
     * Deterministic: plain Java, each score summed in float32 in dimension order (Java float arithmetic
     * is IEEE-exact on every JVM), so a score is a pure function of the two vectors: bit-identical for
     * any block sizes, thread count or machine, and to {@link VectorIndex#score}. About 5-10x slower
     * than {@link #MATMUL} on a CPU. For evaluation and for splitting a search into blocks that must
     * merge to the single-machine answer (see {@link TopHits#merge}).
     */
    JAVA
  }

  /** @throws IllegalArgumentException for a block size below 1 */
  public SearchConfig {
    checkArgument(queryBlock >= 1, "queryBlock must be >= 1, got %s", queryBlock);
    checkArgument(docBlock >= 1, "docBlock must be >= 1, got %s", docBlock);
    checkNotNull(backend, "backend");
    checkNotNull(kernel, "kernel");
  }

  /** The fast kernel with default blocks (1024 queries x 16384 documents, a 64 MiB score block) on the CPU. */
  public static SearchConfig defaults() {
    return builder().build();
  }

  /** The deterministic Java kernel with 64 x 64 blocks, query blocks searched in parallel. */
  public static SearchConfig deterministic() {
    return builder().kernel(Kernel.JAVA).queryBlock(DEFAULT_JAVA_BLOCK).docBlock(DEFAULT_JAVA_BLOCK).build();
  }

  /** A builder with the {@link #defaults()}: {@link Kernel#MATMUL}, 1024 x 16384 blocks, the CPU. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder initialised with this config's values. */
  public Builder toBuilder() {
    return new Builder().queryBlock(queryBlock).docBlock(docBlock).backend(backend).kernel(kernel);
  }

  /** This config on another backend. */
  public SearchConfig withBackend(Backend newBackend) {
    return toBuilder().backend(newBackend).build();
  }

  /** Builder for {@link SearchConfig}; every setter is optional. */
  public static final class Builder {
    private int queryBlock = DEFAULT_QUERY_BLOCK;
    private int docBlock = DEFAULT_DOC_BLOCK;
    private Backend backend = Backends.cpu();
    private Kernel kernel = Kernel.MATMUL;

    private Builder() {}

    /** Queries scored together, at least 1. */
    public Builder queryBlock(int queryBlock) { this.queryBlock = queryBlock; return this; }
    /** Documents scored together, at least 1. */
    public Builder docBlock(int docBlock) { this.docBlock = docBlock; return this; }
    /** The device the matrix products run on ({@link Kernel#MATMUL} only). */
    public Builder backend(Backend backend) { this.backend = backend; return this; }
    /** How the inner products are computed. */
    public Builder kernel(Kernel kernel) { this.kernel = kernel; return this; }

    /** @throws IllegalArgumentException for a block size below 1 */
    public SearchConfig build() {
      return new SearchConfig(queryBlock, docBlock, backend, kernel);
    }
  }
}
