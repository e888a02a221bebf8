package dev.kalm.data.search;


/** The matmul kernel (DJL on the CPU) against the {@link VectorIndexContract}. */
class MatmulVectorIndexTest extends VectorIndexContract {
  @Override
  protected VectorIndex index(float[][] docs, int queryBlock, int docBlock) {
    return VectorIndexes.exact(docs, SearchConfig.builder().queryBlock(queryBlock).docBlock(docBlock).build());
  }
}
