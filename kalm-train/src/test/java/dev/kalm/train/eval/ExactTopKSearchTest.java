package dev.kalm.train.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ExactTopKSearchTest {

  @Property(tries = 100)
  void agreesWithAFullSortIncludingTies(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int docs,
      @ForAll @IntRange(min = 1, max = 20) int queries, @ForAll @IntRange(min = 1, max = 400) int k,
      @ForAll @IntRange(min = 1, max = 70) int queryBlock, @ForAll @IntRange(min = 1, max = 90) int docBlock) {
    Random random = new Random(seed);
    float[][] d = new float[docs][4];
    float[][] q = new float[queries][4];
    for (float[] v : d) {
      for (int j = 0; j < 4; j++) {
        v[j] = random.nextInt(3) - 1; // many ties
      }
    }
    for (float[] v : q) {
      for (int j = 0; j < 4; j++) {
        v[j] = random.nextInt(3) - 1;
      }
    }
    VectorSearch.Hits[] hits = new ExactTopKSearch(queryBlock, docBlock).search(q, d, k);
    for (int i = 0; i < queries; i++) {
      float[] qi = q[i];
      int[] expected = IntStream.range(0, docs).boxed()
          .sorted(Comparator.<Integer>comparingDouble(j -> -Vectors.dot(qi, d[j])).thenComparing(j -> j))
          .limit(k).mapToInt(Integer::intValue).toArray();
      assertArrayEquals(expected, hits[i].docs(), "query " + i);
      for (int r = 0; r < expected.length; r++) {
        assertEquals(Vectors.dot(qi, d[expected[r]]), hits[i].scores()[r]);
      }
    }
  }

  @Test
  void searchesA100kBy896CorpusInBoundedMemory() {
    // The memory check: only the corpus itself (~360 MB) is held, never a queries x docs matrix.
    int docs = 100_000;
    int dim = 896;
    Random random = new Random(1);
    float[][] d = new float[docs][dim];
    for (float[] v : d) {
      for (int j = 0; j < dim; j += 97) {
        v[j] = random.nextFloat();
      }
    }
    float[][] q = {d[123].clone(), d[99_999].clone()};
    VectorSearch.Hits[] hits = VectorSearch.exact().search(q, d, 1000);
    assertEquals(1000, hits[0].size());
    assertEquals(1000, hits[1].size());
    assertTrue(hits[0].scores()[0] >= Vectors.dot(q[0], d[123]));
    assertTrue(hits[0].scores()[0] >= hits[0].scores()[999]);
  }
}
