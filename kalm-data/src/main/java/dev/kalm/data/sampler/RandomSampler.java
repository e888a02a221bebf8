package dev.kalm.data.sampler;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.kalm.data.example.TrainingExample;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Shuffle everything, cut into batches, then separate duplicate texts. */
final class RandomSampler extends SizedSampler {

  RandomSampler(int batchSize, boolean dropLast) {
    super(batchSize, dropLast);
  }

  @Override
  public ImmutableList<ImmutableIntArray> batches(List<TrainingExample> examples, int epoch, long seed) {
    checkNotNull(examples, "examples");
    checkArgument(epoch >= 0, "epoch must be >= 0, got %s", epoch);
    SplittableRandom random = Batching.random(seed, epoch);
    int[] order = IntStream.range(0, examples.size()).toArray();
    Batching.shuffle(order, 0, order.length, random);
    List<int[]> batches = Batching.cut(order, 0, order.length, batchSize, dropLast);
    new DuplicateSeparator(examples).separate(batches, random);
    return Batching.freeze(batches);
  }

  @Override
  public String toString() {
    return "random(batchSize=" + batchSize + ", dropLast=" + dropLast + ")";
  }
}
