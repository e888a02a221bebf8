package dev.kalm.data.sampler;

/**
 * The built-in {@link BatchSampler}s. Each is immutable, deterministic under (seed, epoch) and keeps
 * identical texts apart: after batching, an example that shares a normalised query or positive with
 * another example of its batch is swapped with a slot of another batch where it clashes with nothing,
 * preferring a slot of the same task (best effort: at most 256 batches are tried per clash).
 */
public final class BatchSamplers {
  private BatchSamplers() {}

  /**
   * Uniformly shuffled batches of {@link SamplerConfig#batchSize()}, tasks mixed freely
   * ({@link SamplerConfig#homogeneousRatio()} is not read).
   */
  public static BatchSampler random(SamplerConfig config) {
    return new RandomSampler(config.batchSize(), config.dropLast());
  }

  /**
   * KaLM's semi-homogeneous task batching. For each epoch:
   * <ol>
   *   <li>per task (dataset): shuffle its examples and cut them into full batches;
   *   <li>the leftovers of all tasks, shuffled, form mixed batches (the last one has
   *       {@code n mod batchSize} examples and is dropped with {@code dropLast});
   *   <li>in every batch, the last {@code round((1 - ratio) * size)} slots are pulled into one pool
   *       ({@code ratio} is {@link SamplerConfig#homogeneousRatio()}),
   *       which is shuffled across batches and put back into those slots;
   *   <li>the batch order is shuffled.
   * </ol>
   * With {@code ratio = 1} every full task batch holds one task; with {@code ratio = 0} batches are
   * fully mixed. In a batch cut from one task, that task holds at least {@code ratio * size - 0.5} slots.
   * Too much homogeneity gives more false negatives (KaLM's ablation), so the ratio is a knob.
   */
  public static BatchSampler semiHomogeneous(SamplerConfig config) {
    return new SemiHomogeneousSampler(config.batchSize(), config.homogeneousRatio(), config.dropLast());
  }

  /**
   * Batches of {@link SamplerConfig#batchSize()} in input order, identical in every epoch (no shuffling, so
   * identical texts may share a batch): for reproducing a fixed data order ({@link SamplerConfig#homogeneousRatio()}
   * is not read).
   */
  public static BatchSampler sequential(SamplerConfig config) {
    return new SequentialSampler(config.batchSize(), config.dropLast());
  }
}
