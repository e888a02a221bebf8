package dev.kalm.data.sampler;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.Ints;
import dev.kalm.data.example.TrainingExample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** KaLM's semi-homogeneous task batching (see {@link BatchSamplers#semiHomogeneous}). */
final class SemiHomogeneousSampler extends SizedSampler {
  private final double ratio;

  SemiHomogeneousSampler(int batchSize, double ratio, boolean dropLast) {
    super(batchSize, dropLast);
    this.ratio = ratio;
  }

  @Override
  public ImmutableList<ImmutableIntArray> batches(List<TrainingExample> examples, int epoch, long seed) {
    checkNotNull(examples, "examples");
    checkArgument(epoch >= 0, "epoch must be >= 0, got %s", epoch);
    SplittableRandom random = Batching.random(seed, epoch);

    // 1. Per task (first-appearance order): shuffle, cut full batches; the rest are leftovers.
    Map<String, List<Integer>> byTask = new LinkedHashMap<>();
    for (int i = 0; i < examples.size(); i++) {
      byTask.computeIfAbsent(examples.get(i).task(), t -> new ArrayList<>()).add(i);
    }
    List<int[]> batches = new ArrayList<>();
    List<Integer> leftovers = new ArrayList<>();
    for (List<Integer> members : byTask.values()) {
      int[] task = Ints.toArray(members);
      Batching.shuffle(task, 0, task.length, random);
      int full = task.length - task.length % batchSize;
      batches.addAll(Batching.cut(task, 0, full, batchSize, true));
      for (int i = full; i < task.length; i++) {
        leftovers.add(task[i]);
      }
    }
    // 2. Leftovers of all tasks form mixed batches (the last one short unless dropped).
    int[] rest = Ints.toArray(leftovers);
    Batching.shuffle(rest, 0, rest.length, random);
    batches.addAll(Batching.cut(rest, 0, rest.length, batchSize, dropLast));

    // 3. The last round((1 - ratio) * size) slots of every batch go to a shared pool, shuffled, put back.
    List<Integer> pool = new ArrayList<>();
    for (int[] batch : batches) {
      for (int s = batch.length - mixedSlots(batch.length); s < batch.length; s++) {
        pool.add(batch[s]);
      }
    }
    Batching.shuffle(pool, random);
    int next = 0;
    for (int[] batch : batches) {
      for (int s = batch.length - mixedSlots(batch.length); s < batch.length; s++) {
        batch[s] = pool.get(next++);
      }
    }

    // 4. Batch order shuffled; then duplicate texts separated (same-task swaps first).
    Batching.shuffle(batches, random);
    new DuplicateSeparator(examples).separate(batches, random);
    return Batching.freeze(batches);
  }

  private int mixedSlots(int size) {
    return (int) Math.round((1 - ratio) * size);
  }

  @Override
  public String toString() {
    return "semiHomogeneous(batchSize=" + batchSize + ", ratio=" + ratio + ", dropLast=" + dropLast + ")";
  }
}
