package dev.kalm.data.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kalm.core.device.Backends;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ExactVectorIndexTest {

  /**
   * Small-integer components make every inner product exact in float32 whatever the summation order,
   * so device and brute-force scores agree bit for bit and ties (duplicate vectors) are real ties.
   */
  @Property(tries = 60)
  void matchesBruteForceWithExactTies(
      @ForAll @IntRange(min = 1, max = 6) int dim,
      @ForAll @IntRange(min = 1, max = 70) int docs,
      @ForAll @IntRange(min = 1, max = 9) int queries,
      @ForAll @IntRange(min = 1, max = 25) int k,
      @ForAll @IntRange(min = 1, max = 5) int queryBlock,
      @ForAll @IntRange(min = 1, max = 20) int docBlock,
      @ForAll long seed) {
    Random random = new Random(seed);
    float[][] d = integerVectors(random, docs, dim);
    for (int i = 0; i < docs / 3; i++) { // exact duplicates
      d[random.nextInt(docs)] = d[random.nextInt(docs)].clone();
    }
    float[][] q = integerVectors(random, queries, dim);
    SearchResults got = VectorIndexes.exact(d, new SearchConfig(queryBlock, docBlock, Backends.cpu())).search(q, k);
    assertEquals(queries, got.queries());
    for (int i = 0; i < queries; i++) {
      int[] expected = bruteForce(d, q[i], k);
      assertArrayEquals(expected, got.ids(i), "query " + i);
      for (int r = 0; r < expected.length; r++) {
        assertEquals((float) dot(d[expected[r]], q[i]), got.score(i, r), 0f, "query " + i + " rank " + r);
      }
    }
  }

  /** Normalised real vectors: scores match brute force within 1e-5 at every rank, ids carry their own score. */
  @Property(tries = 30)
  void matchesBruteForceOnNormalisedVectors(
      @ForAll @IntRange(min = 1, max = 40) int dim,
      @ForAll @IntRange(min = 1, max = 120) int docs,
      @ForAll @IntRange(min = 1, max = 7) int k,
      @ForAll long seed) {
    Random random = new Random(seed);
    float[][] d = normalised(random, docs, dim);
    float[][] q = normalised(random, 5, dim);
    SearchResults got = VectorIndexes.exact(d, new SearchConfig(2, 17, Backends.cpu())).search(q, k);
    for (int i = 0; i < q.length; i++) {
      int[] expected = bruteForce(d, q[i], k);
      assertEquals(expected.length, got.count(i));
      for (int r = 0; r < expected.length; r++) {
        assertEquals(dot(d[expected[r]], q[i]), got.score(i, r), 1e-5, "rank " + r);
        assertEquals(dot(d[got.id(i, r)], q[i]), got.score(i, r), 1e-5, "own score at rank " + r);
      }
    }
  }

  @Test
  void allDuplicatesAcrossBlocksGiveLowestIds() {
    float[][] d = new float[50][];
    for (int i = 0; i < d.length; i++) {
      d[i] = new float[] {1, 0};
    }
    SearchResults got = VectorIndexes.exact(d, new SearchConfig(4, 7, Backends.cpu())).search(new float[][] {{1, 0}}, 10);
    assertArrayEquals(IntStream.range(0, 10).toArray(), got.ids(0));
  }

  @Test
  void javaScoreAgreesWithSearch() {
    float[][] d = normalised(new Random(1), 30, 16);
    VectorIndex index = VectorIndexes.exact(d, new SearchConfig(3, 8, Backends.cpu()));
    float[] q = d[7];
    SearchResults got = index.search(new float[][] {q}, 3);
    assertEquals(7, got.id(0, 0));
    assertEquals(got.score(0, 0), index.score(q, 7), 1e-5);
    assertEquals(30, index.size());
    assertEquals(16, index.dimension());
  }

  @Test
  void rejectsBadInput() {
    VectorIndex index = VectorIndexes.exact(new float[][] {{1, 0}, {0, 1}});
    assertThrows(IllegalArgumentException.class, () -> index.search(new float[][] {{1, 0, 0}}, 1));
    assertThrows(IllegalArgumentException.class, () -> index.search(new float[][] {{1, 0}}, 0));
    assertThrows(IllegalArgumentException.class, () -> VectorIndexes.exact(new float[0][]));
    assertThrows(IllegalArgumentException.class, () -> VectorIndexes.exact(new float[][] {{1, 0}, {1}}));
    assertThrows(IllegalArgumentException.class, () -> new SearchConfig(0, 1, Backends.cpu()));
  }

  static int[] bruteForce(float[][] docs, float[] query, int k) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < docs.length; i++) {
      order.add(i);
    }
    order.sort(Comparator.<Integer>comparingDouble(i -> -dot(docs[i], query)).thenComparingInt(i -> i));
    return order.subList(0, Math.min(k, docs.length)).stream().mapToInt(Integer::intValue).toArray();
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  private static float[][] integerVectors(Random random, int n, int dim) {
    float[][] v = new float[n][dim];
    for (float[] row : v) {
      for (int j = 0; j < dim; j++) {
        row[j] = random.nextInt(5) - 2;
      }
    }
    return v;
  }

  static float[][] normalised(Random random, int n, int dim) {
    float[][] v = new float[n][dim];
    for (float[] row : v) {
      double norm = 0;
      for (int j = 0; j < dim; j++) {
        row[j] = (float) random.nextGaussian();
        norm += row[j] * row[j];
      }
      for (int j = 0; j < dim; j++) {
        row[j] /= (float) Math.sqrt(norm);
      }
    }
    return v;
  }
}
