package dev.kalm.data.sampler;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.kalm.data.example.TrainingExample;
import java.util.List;
import java.util.stream.IntStream;

/** Batches in input order, the same every epoch; identical texts in a batch are left as they are. */
final class SequentialSampler extends SizedSampler {

  SequentialSampler(int batchSize, boolean dropLast) {
    super(batchSize, dropLast);
  }

  @Override
  public ImmutableList<ImmutableIntArray> batches(List<TrainingExample> examples, int epoch, long seed) {
    checkNotNull(examples, "examples");
    checkArgument(epoch >= 0, "epoch must be >= 0, got %s", epoch);
    int[] order = IntStream.range(0, examples.size()).toArray();
    return Batching.freeze(Batching.cut(order, 0, order.length, batchSize, dropLast));
  }

  @Override
  public String toString() {
    return "sequential(batchSize=" + batchSize + ", dropLast=" + dropLast + ")";
  }
}
