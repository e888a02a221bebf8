package dev.kalm.data.sampler;

/** The batch size and drop-last setting every built-in sampler has. Immutable. */
abstract class SizedSampler implements BatchSampler {
  final int batchSize;
  final boolean dropLast;

  SizedSampler(int batchSize, boolean dropLast) {
    this.batchSize = batchSize;
    this.dropLast = dropLast;
  }

  @Override
  public final int batchSize() {
    return batchSize;
  }

  @Override
  public final boolean dropLast() {
    return dropLast;
  }
}
