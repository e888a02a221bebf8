package dev.kalm.core.internal.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** How an embedder cuts a call's sorted texts into batches ({@link Qwen2Embedder#batches}). */
class BatchCuttingTest {

  @Property(tries = 300)
  void batchesCoverEveryTextOnceWithinTheBudgetAndComeOutEven(
      @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 1, max = 50) Integer> unsorted,
      @ForAll @IntRange(min = 1, max = 300) int budget, @ForAll @IntRange(min = 1, max = 4) int parallel) {
    int[] lengths = unsorted.stream().sorted(Comparator.reverseOrder()).mapToInt(Integer::intValue).toArray();
    List<int[]> batches = Qwen2Embedder.batches(lengths, budget, parallel);
    int next = 0;
    for (int[] b : batches) {
      assertEquals(next, b[0], "contiguous, in order");
      assertTrue(b[1] >= 1);
      assertTrue(b[1] == 1 || b[1] * lengths[b[0]] <= budget, "within the budget: " + Arrays.toString(b));
      next += b[1];
    }
    assertEquals(lengths.length, next, "every text once");

    List<int[]> full = cut(lengths, budget);
    if (parallel == 1 || full.size() <= 1) {
      assertEquals(describe(full), describe(batches), "the full budget's batches");
      return;
    }
    int most = (full.size() + parallel - 1) / parallel * parallel;
    assertTrue(batches.size() <= most, "at most the full budget's count rounded up to a multiple of " + parallel);
    int smallest = 1; // brute force: the smallest budget that cuts at most `most` batches
    while (cut(lengths, smallest).size() > most) {
      smallest++;
    }
    assertEquals(describe(cut(lengths, smallest)), describe(batches), "the cut of the smallest such budget");
  }

  @Test
  void sevenEqualBatchesOnTwoWorkersBecomeEight() {
    int[] lengths = new int[70];
    Arrays.fill(lengths, 100);
    assertEquals(7, Qwen2Embedder.batches(lengths, 1000, 1).size());
    List<int[]> batches = Qwen2Embedder.batches(lengths, 1000, 2);
    assertEquals(8, batches.size());
    assertArrayEquals(new int[] {0, 9}, batches.get(0), "9 texts of 100 tokens");
    assertArrayEquals(new int[] {63, 7}, batches.get(7));
  }

  @Test
  void aSmallRemainderIsSpreadOverTheBatches() {
    int[] lengths = new int[11];
    Arrays.fill(lengths, 100);
    assertEquals(List.of(10, 1), sizes(Qwen2Embedder.batches(lengths, 1000, 1)));
    assertEquals(List.of(6, 5), sizes(Qwen2Embedder.batches(lengths, 1000, 2)));
    assertEquals(List.of(3, 3, 3, 2), sizes(Qwen2Embedder.batches(lengths, 1000, 4)));
  }

  private static List<Integer> sizes(List<int[]> batches) {
    return batches.stream().map(b -> b[1]).toList();
  }

  /**
   * The plain greedy cut at {@code budget}: the batches of one batch at a time (checked for what a cut must be in the
   * property above).
   */
  private static List<int[]> cut(int[] lengths, int budget) {
    return Qwen2Embedder.batches(lengths, budget, 1);
  }

  private static String describe(List<int[]> batches) {
    return batches.stream().map(Arrays::toString).toList().toString();
  }
}
