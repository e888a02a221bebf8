package dev.kalm.examples.samplers;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.sampler.BatchSampler;
import dev.kalm.data.sampler.SamplerConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * An example of a custom {@link BatchSampler}: batches of examples of similar length, so that padding
 * to the longest text of a batch wastes little compute. Per epoch: shuffle all examples, cut the order
 * into buckets of {@code bucketBatches} batches, sort each bucket by length (characters of the query
 * plus the first positive), cut into batches, and shuffle the batch order. Randomness comes only from
 * {@code (seed, epoch)}, so the batches are reproducible and a resumed run gets the same ones.
 *
 * <p>It does not keep duplicate texts apart (the built-in samplers do), and it ignores tasks.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * BatchSampler sampler = new LengthBucketSampler(SamplerConfig.builder().batchSize(32).dropLast(true).build(), 50);
 * }</pre>
 */
public final class LengthBucketSampler implements BatchSampler {
  private final int batchSize;
  private final int bucketBatches;
  private final boolean dropLast;

  /**
   * @param config batch size and {@code dropLast} ({@link SamplerConfig#homogeneousRatio()} is not read)
   * @param bucketBatches batches per length-sorted bucket, at least 1 (larger: less padding, less randomness)
   * @throws IllegalArgumentException when {@code bucketBatches} is below 1
   */
  public LengthBucketSampler(SamplerConfig config, int bucketBatches) {
    checkArgument(bucketBatches >= 1, "bucketBatches must be >= 1, got %s", bucketBatches);
    this.batchSize = config.batchSize();
    this.bucketBatches = bucketBatches;
    this.dropLast = config.dropLast();
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public boolean dropLast() {
    return dropLast;
  }

  @Override
  public ImmutableList<ImmutableIntArray> batches(List<TrainingExample> examples, int epoch, long seed) {
    checkNotNull(examples, "examples");
    checkArgument(epoch >= 0, "epoch must be >= 0, got %s", epoch);
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    int n = examples.size();
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    shuffle(order, random);
    int[] lengths = examples.stream().mapToInt(e -> e.query().length() + e.firstPositive().length()).toArray();
    int bucket = batchSize * bucketBatches; // a multiple of batchSize: only the very last batch can be short
    for (int start = 0; start < n; start += bucket) {
      Arrays.sort(order, start, Math.min(start + bucket, n), Comparator.comparingInt(i -> lengths[i]));
    }
    List<ImmutableIntArray> batches = new ArrayList<>();
    for (int start = 0; start < n; start += batchSize) {
      int end = Math.min(start + batchSize, n);
      if (end - start == batchSize || !dropLast) {
        batches.add(ImmutableIntArray.copyOf(Arrays.stream(order, start, end).mapToInt(Integer::intValue).toArray()));
      }
    }
    ImmutableIntArray[] shuffled = batches.toArray(ImmutableIntArray[]::new);
    shuffle(shuffled, random);
    return ImmutableList.copyOf(shuffled);
  }

  private static <T> void shuffle(T[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
