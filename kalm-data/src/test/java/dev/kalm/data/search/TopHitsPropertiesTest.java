package dev.kalm.data.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** {@link TopHits#merge}: associative, commutative, ties to the lower id, equal to a brute-force top-k. */
class TopHitsPropertiesTest {

  /** A random best-first list over ids [0, idRange) with scores from a small set (many ties). */
  private static TopHits randomHits(Random random, int size, int idRange) {
    Map<Integer, Float> hits = new HashMap<>();
    while (hits.size() < Math.min(size, idRange)) {
      hits.put(random.nextInt(idRange), (random.nextInt(7) - 3) / 4f);
    }
    return top(hits, Integer.MAX_VALUE);
  }

  /** Brute force: sort every (id, best score of the id) pair, keep k. */
  private static TopHits top(Map<Integer, Float> best, int k) {
    List<Map.Entry<Integer, Float>> entries = new ArrayList<>(best.entrySet());
    entries.sort(Comparator.<Map.Entry<Integer, Float>>comparingDouble(e -> -e.getValue())
        .thenComparingInt(Map.Entry::getKey));
    int n = Math.min(k, entries.size());
    int[] ids = new int[n];
    float[] scores = new float[n];
    for (int i = 0; i < n; i++) {
      ids[i] = entries.get(i).getKey();
      scores[i] = entries.get(i).getValue();
    }
    return new TopHits(ids, scores);
  }

  @Property(tries = 300)
  void associative(@ForAll long seed, @ForAll @IntRange(max = 12) int k, @ForAll boolean overlapping) {
    Random random = new Random(seed);
    int range = overlapping ? 15 : 1000;
    TopHits a = randomHits(random, random.nextInt(10), range);
    TopHits b = randomHits(random, random.nextInt(10), range);
    TopHits c = randomHits(random, random.nextInt(10), range);
    assertEquals(TopHits.merge(TopHits.merge(a, b, k), c, k), TopHits.merge(a, TopHits.merge(b, c, k), k));
  }

  @Property(tries = 300)
  void commutative(@ForAll long seed, @ForAll @IntRange(max = 12) int k) {
    Random random = new Random(seed);
    TopHits a = randomHits(random, random.nextInt(10), 15);
    TopHits b = randomHits(random, random.nextInt(10), 15);
    assertEquals(TopHits.merge(a, b, k), TopHits.merge(b, a, k));
  }

  /** Disjoint blocks (a split corpus): the merge is the brute-force top-k of everything, ties by lower id. */
  @Property(tries = 300)
  void equalsBruteForceOverDisjointBlocks(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int blocks,
      @ForAll @IntRange(max = 20) int k) {
    Random random = new Random(seed);
    Map<Integer, Float> all = new HashMap<>();
    List<TopHits> parts = new ArrayList<>();
    for (int b = 0; b < blocks; b++) {
      Map<Integer, Float> block = new HashMap<>();
      for (int i = random.nextInt(12); i > 0; i--) {
        block.put(b * 100 + random.nextInt(50), (random.nextInt(5) - 2) / 2f);
      }
      all.putAll(block);
      parts.add(top(block, k)); // each block already cut to its own top k
    }
    assertEquals(top(all, k), TopHits.merge(parts, k));
  }

  @Test
  void tiesGoToTheLowerIdAndARepeatedIdKeepsItsBetterScore() {
    TopHits a = new TopHits(new int[] {9, 2}, new float[] {1f, 0.5f});
    TopHits b = new TopHits(new int[] {3, 9}, new float[] {1f, 0.25f});
    assertEquals(new TopHits(new int[] {3, 9, 2}, new float[] {1f, 1f, 0.5f}), TopHits.merge(a, b, 5));
    assertEquals(new TopHits(new int[] {3}, new float[] {1f}), TopHits.merge(a, b, 1));
    assertEquals(new TopHits(new int[] {12, 5}, new float[] {1f, 0.5f}), new TopHits(new int[] {2, -5},
        new float[] {1f, 0.5f}).offsetIds(10));
  }

  @Test
  void rejectsBadLists() {
    assertThrows(IllegalArgumentException.class, () -> new TopHits(new int[] {1, 2}, new float[] {0.5f, 1f}));
    assertThrows(IllegalArgumentException.class, () -> new TopHits(new int[] {2, 1}, new float[] {1f, 1f}));
    assertThrows(IllegalArgumentException.class, () -> new TopHits(new int[] {1, 1}, new float[] {1f, 0.5f}));
    assertThrows(IllegalArgumentException.class, () -> new TopHits(new int[] {1}, new float[] {Float.NaN}));
    assertThrows(IllegalArgumentException.class, () -> new TopHits(new int[] {1}, new float[0]));
    assertThrows(IllegalArgumentException.class, () -> TopHits.merge(TopHits.empty(), TopHits.empty(), -1));
  }
}
