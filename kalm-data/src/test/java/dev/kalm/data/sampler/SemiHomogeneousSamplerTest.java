package dev.kalm.data.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.testing.BatchSamplerContract;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SemiHomogeneousSamplerTest extends BatchSamplerContract {
  @Override
  protected BatchSampler sampler(int batchSize, boolean dropLast) {
    return BatchSamplers.semiHomogeneous(
        SamplerConfig.builder().batchSize(batchSize).homogeneousRatio(0.5).dropLast(dropLast).build());
  }

  /*
   * The ratio properties use data without shared texts: separating duplicate texts may move an example
   * into a batch of another task when no same-task slot is free, which can cost a batch one slot.
   */

  /** Ratio 1: every full batch cut from one task holds that task only. */
  @Property(tries = 50)
  void ratioOneGivesSingleTaskBatches(
      @ForAll @IntRange(min = 1, max = 10) int batchSize,
      @ForAll @IntRange(max = 100) int n,
      @ForAll long seed) {
    List<TrainingExample> examples = uniqueExamples(n, 3, seed);
    BatchSampler sampler = BatchSamplers.semiHomogeneous(
        SamplerConfig.builder().batchSize(batchSize).homogeneousRatio(1).build());
    List<ImmutableIntArray> batches = sampler.batches(examples, 0, seed);
    long singleTask = batches.stream().filter(b -> dominantShare(b, examples) == b.length()).count();
    assertTrue(singleTask >= fullTaskBatches(examples, batchSize),
        singleTask + " single-task batches, expected at least " + fullTaskBatches(examples, batchSize));
  }

  /** When every task fills whole batches, each batch's dominant task holds at least ratio x size (within one slot). */
  @Property(tries = 80)
  void ratioIsHonoured(
      @ForAll @IntRange(min = 1, max = 12) int batchSize,
      @ForAll @DoubleRange(min = 0, max = 1) double ratio,
      @ForAll @IntRange(min = 1, max = 4) int tasks,
      @ForAll long seed) {
    Random random = new Random(seed);
    List<TrainingExample> examples = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      int size = batchSize * (1 + random.nextInt(4));
      for (int i = 0; i < size; i++) {
        examples.add(TrainingExample.builder().query("q" + t + "." + i).positive("p" + t + "." + i).task("t" + t).build());
      }
    }
    java.util.Collections.shuffle(examples, random);
    BatchSampler sampler = BatchSamplers.semiHomogeneous(
        SamplerConfig.builder().batchSize(batchSize).homogeneousRatio(ratio).dropLast(true).build());
    for (ImmutableIntArray batch : sampler.batches(examples, 2, seed)) {
      assertEquals(batchSize, batch.length());
      assertTrue(dominantShare(batch, examples) >= ratio * batchSize - 1,
          "dominant " + dominantShare(batch, examples) + " of " + batchSize + " at ratio " + ratio);
    }
  }

  /** In general data, at least as many batches honour the ratio as there are full per-task batches. */
  @Property(tries = 50)
  void ratioHonouredByTaskBatchesWithLeftovers(
      @ForAll @IntRange(min = 2, max = 10) int batchSize,
      @ForAll @DoubleRange(min = 0, max = 1) double ratio,
      @ForAll @IntRange(max = 150) int n,
      @ForAll long seed) {
    List<TrainingExample> examples = uniqueExamples(n, 3, seed);
    BatchSampler sampler = BatchSamplers.semiHomogeneous(
        SamplerConfig.builder().batchSize(batchSize).homogeneousRatio(ratio).build());
    List<ImmutableIntArray> batches = sampler.batches(examples, 0, seed);
    long honouring = batches.stream().filter(b -> dominantShare(b, examples) >= ratio * b.length() - 1).count();
    assertTrue(honouring >= fullTaskBatches(examples, batchSize));
  }

  @Test
  void ratioZeroMixesTasks() {
    List<TrainingExample> examples = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      examples.add(TrainingExample.builder().query("q" + i).positive("p" + i).task("t" + (i % 4)).build());
    }
    BatchSampler sampler = BatchSamplers.semiHomogeneous(
        SamplerConfig.builder().batchSize(10).homogeneousRatio(0).dropLast(true).build());
    long mixed = sampler.batches(examples, 0, 7).stream()
        .filter(b -> dominantShare(b, examples) < 10).count();
    assertEquals(40, mixed); // a 10-slot batch from 4 equal tasks is single-task with negligible probability
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> SamplerConfig.builder().homogeneousRatio(1.5).build());
    assertThrows(IllegalArgumentException.class, () -> SamplerConfig.builder().homogeneousRatio(-0.1).build());
    assertThrows(IllegalArgumentException.class, () -> SamplerConfig.builder().batchSize(0).build());
  }

  private static List<TrainingExample> uniqueExamples(int n, int tasks, long seed) {
    Random random = new Random(seed);
    List<TrainingExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(TrainingExample.builder().query("q" + i).positive("p" + i).task("t" + random.nextInt(tasks)).build());
    }
    return out;
  }

  private static int dominantShare(ImmutableIntArray batch, List<TrainingExample> examples) {
    Map<String, Integer> counts = new HashMap<>();
    batch.forEach(i -> counts.merge(examples.get(i).task(), 1, Integer::sum));
    return counts.values().stream().max(Integer::compare).orElse(0);
  }

  private static long fullTaskBatches(List<TrainingExample> examples, int batchSize) {
    Map<String, Integer> sizes = new HashMap<>();
    examples.forEach(e -> sizes.merge(e.task(), 1, Integer::sum));
    return sizes.values().stream().mapToLong(s -> s / batchSize).sum();
  }
}
