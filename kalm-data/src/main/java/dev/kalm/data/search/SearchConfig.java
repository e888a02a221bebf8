package dev.kalm.data.search;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kalm.core.device.Backend;
import dev.kalm.core.device.Backends;

/**
 * How an exact {@link VectorIndex} computes: block sizes and the device. Memory on the device is about
 * {@code 4 * (queryBlock + docBlock) * dimension + 8 * queryBlock * docBlock} bytes at a time, whatever
 * the corpus size. Immutable.
 *
 * @param queryBlock queries scored together, at least 1
 * @param docBlock documents scored together, at least 1
 * @param backend the device the matrix products run on
 */
public record SearchConfig(int queryBlock, int docBlock, Backend backend) {
  /** Default queries per block. */
  public static final int DEFAULT_QUERY_BLOCK = 1024;
  /** Default documents per block. */
  public static final int DEFAULT_DOC_BLOCK = 16384;

  /** @throws IllegalArgumentException for a block size below 1 */
  public SearchConfig {
    checkArgument(queryBlock >= 1, "queryBlock must be >= 1, got %s", queryBlock);
    checkArgument(docBlock >= 1, "docBlock must be >= 1, got %s", docBlock);
    checkNotNull(backend, "backend");
  }

  /** Default blocks (1024 queries x 16384 documents, a 64 MiB score block) on the CPU. */
  public static SearchConfig defaults() {
    return new SearchConfig(DEFAULT_QUERY_BLOCK, DEFAULT_DOC_BLOCK, Backends.cpu());
  }

  /** This config on another backend. */
  public SearchConfig withBackend(Backend newBackend) {
    return new SearchConfig(queryBlock, docBlock, newBackend);
  }
}
