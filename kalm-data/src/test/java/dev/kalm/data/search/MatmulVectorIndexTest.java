package dev.kalm.data.search;

import dev.kalm.core.device.Backends;

/** The matmul kernel (DJL on the CPU) against the {@link VectorIndexContract}. */
class MatmulVectorIndexTest extends VectorIndexContract {
  @Override
  protected VectorIndex index(float[][] docs, int queryBlock, int docBlock) {
    return VectorIndexes.exact(docs, new SearchConfig(queryBlock, docBlock, Backends.cpu()));
  }
}
