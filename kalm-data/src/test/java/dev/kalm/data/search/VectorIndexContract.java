package dev.kalm.data.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.progress.ProgressListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The {@link VectorIndex} contract as reusable tests: extend this class (it is in kalm-data's test-jar,
 * {@code <type>test-jar</type>}) and implement {@link #index}. Checked against a brute-force reference:
 * <ul>
 *   <li>the {@code min(k, size)} best ids per query, score descending then lower id, exactly (ties
 *       included) on vectors whose inner products are exact in float32, whatever the block sizes;
 *   <li>scores within {@link VectorIndexes#KERNEL_TOLERANCE} of the double-precision inner product on
 *       unit-length vectors, and each id carrying its own score;
 *   <li>the lists of a search split into document blocks, shifted with {@link TopHits#offsetIds} and
 *       merged with {@link TopHits#merge}, equal the whole search's lists;
 *   <li>{@link VectorIndex#score} agrees with the search; concurrent searches agree; progress reaches
 *       the end; bad input is rejected.
 * </ul>
 */
public abstract class VectorIndexContract {

  /** The index under test over {@code docs}, cutting queries and documents into blocks of these sizes. */
  protected abstract VectorIndex index(float[][] docs, int queryBlock, int docBlock);

  /**
   * Small-integer components make every inner product exact in float32 whatever the summation order,
   * so the index and brute force agree bit for bit and ties (duplicate vectors) are real ties.
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
    float[][] d = withDuplicates(random, integerVectors(random, docs, dim));
    float[][] q = integerVectors(random, queries, dim);
    SearchResults got = index(d, queryBlock, docBlock).search(q, k);
    assertEquals(queries, got.queries());
    for (int i = 0; i < queries; i++) {
      int[] expected = bruteForce(d, q[i], k);
      assertArrayEquals(expected, got.ids(i), "query " + i);
      for (int r = 0; r < expected.length; r++) {
        assertEquals((float) dot(d[expected[r]], q[i]), got.score(i, r), 0f, "query " + i + " rank " + r);
      }
    }
  }

  /** Unit-length real vectors: scores match brute force within the tolerance at every rank, ids carry their own score. */
  @Property(tries = 30)
  void matchesBruteForceOnNormalisedVectors(
      @ForAll @IntRange(min = 1, max = 40) int dim,
      @ForAll @IntRange(min = 1, max = 120) int docs,
      @ForAll @IntRange(min = 1, max = 7) int k,
      @ForAll long seed) {
    Random random = new Random(seed);
    float[][] d = normalised(random, docs, dim);
    float[][] q = normalised(random, 5, dim);
    VectorIndex index = index(d, 2, 17);
    SearchResults got = index.search(q, k);
    for (int i = 0; i < q.length; i++) {
      int[] expected = bruteForce(d, q[i], k);
      assertEquals(expected.length, got.count(i));
      for (int r = 0; r < expected.length; r++) {
        assertEquals(dot(d[expected[r]], q[i]), got.score(i, r), VectorIndexes.KERNEL_TOLERANCE, "rank " + r);
        assertEquals(dot(d[got.id(i, r)], q[i]), got.score(i, r), VectorIndexes.KERNEL_TOLERANCE, "own score at rank " + r);
        assertEquals(index.score(q[i], got.id(i, r)), got.score(i, r), VectorIndexes.KERNEL_TOLERANCE, "score() at rank " + r);
      }
    }
  }

  /** A search split into document blocks and merged equals the whole search (what a distributed search does). */
  @Property(tries = 40)
  void blockSearchesMergeToTheWholeSearch(
      @ForAll @IntRange(min = 2, max = 60) int docs,
      @ForAll @IntRange(min = 1, max = 20) int k,
      @ForAll @IntRange(min = 1, max = 5) int blocks,
      @ForAll long seed) {
    Random random = new Random(seed);
    float[][] d = withDuplicates(random, integerVectors(random, docs, 3));
    float[][] q = integerVectors(random, 4, 3);
    SearchResults whole = index(d, 3, 7).search(q, k);
    int[] cuts = IntStream.concat(IntStream.of(0, docs), random.ints(blocks - 1, 1, docs)).distinct().sorted().toArray();
    List<List<TopHits>> parts = new ArrayList<>();
    for (int b = cuts.length - 2; b >= 0; b--) { // last block first: the merge must not care
      SearchResults part = index(Arrays.copyOfRange(d, cuts[b], cuts[b + 1]), 2, 5).search(q, k);
      List<TopHits> shifted = new ArrayList<>();
      for (int i = 0; i < q.length; i++) {
        shifted.add(part.hits(i).offsetIds(cuts[b]));
      }
      parts.add(shifted);
    }
    for (int i = 0; i < q.length; i++) {
      int query = i;
      TopHits merged = TopHits.merge(parts.stream().map(p -> p.get(query)).toList(), k);
      assertSameHits(whole.hits(i), merged, "query " + i);
    }
  }

  @Test
  void allDuplicatesAcrossBlocksGiveLowestIds() {
    float[][] d = new float[50][];
    for (int i = 0; i < d.length; i++) {
      d[i] = new float[] {1, 0};
    }
    SearchResults got = index(d, 4, 7).search(new float[][] {{1, 0}}, 10);
    assertArrayEquals(IntStream.range(0, 10).toArray(), got.ids(0));
  }

  @Test
  void kAboveTheSizeGivesEveryDocumentAndProgressReachesTheEnd() {
    float[][] d = normalised(new Random(3), 9, 5);
    List<long[]> seen = new ArrayList<>();
    ProgressListener progress = (done, total) -> {
      synchronized (seen) {
        seen.add(new long[] {done, total});
      }
    };
    VectorIndex index = index(d, 2, 4);
    SearchResults got = index.search(normalised(new Random(4), 7, 5), 100, progress);
    for (int i = 0; i < got.queries(); i++) {
      assertEquals(9, got.count(i));
      assertEquals(9, Arrays.stream(got.ids(i)).distinct().count());
    }
    assertEquals(9, index.size());
    assertEquals(5, index.dimension());
    long[] last = seen.stream().max(Comparator.comparingLong(p -> p[0])).orElseThrow();
    assertEquals(7, last[0]);
    assertEquals(7, last[1]);
  }

  @Test
  void concurrentSearchesAgree() throws Exception {
    float[][] d = normalised(new Random(5), 300, 16);
    float[][] q = normalised(new Random(6), 40, 16);
    VectorIndex index = index(d, 8, 64);
    SearchResults expected = index.search(q, 10);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<SearchResults>> futures = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        futures.add(pool.submit(() -> index.search(q, 10)));
      }
      for (Future<SearchResults> f : futures) {
        SearchResults got = f.get();
        for (int i = 0; i < q.length; i++) {
          assertSameHits(expected.hits(i), got.hits(i), "query " + i);
        }
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void rejectsBadInput() {
    VectorIndex index = index(new float[][] {{1, 0}, {0, 1}}, 2, 2);
    assertThrows(IllegalArgumentException.class, () -> index.search(new float[][] {{1, 0, 0}}, 1));
    assertThrows(IllegalArgumentException.class, () -> index.search(new float[][] {{1, 0}}, 0));
    assertThrows(IllegalArgumentException.class, () -> index.score(new float[] {1}, 0));
    assertThrows(IllegalArgumentException.class, () -> index.score(new float[] {1, 0}, 2));
    assertThrows(IllegalArgumentException.class, () -> index(new float[0][], 2, 2));
    assertThrows(IllegalArgumentException.class, () -> index(new float[][] {{1, 0}, {1}}, 2, 2));
    assertTrue(index.search(new float[0][], 3).queries() == 0);
  }

  /** Same ids in the same order, scores equal as numbers ({@code 0.0 == -0.0}: a matmul may give either). */
  public static void assertSameHits(TopHits expected, TopHits actual, String message) {
    assertArrayEquals(expected.ids(), actual.ids(), message);
    for (int r = 0; r < expected.size(); r++) {
      assertEquals(expected.score(r), actual.score(r), 0f, message + " rank " + r);
    }
  }

  /** Ids of the {@code k} best documents by double-precision inner product, ties by lower id. */
  public static int[] bruteForce(float[][] docs, float[] query, int k) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < docs.length; i++) {
      order.add(i);
    }
    order.sort(Comparator.<Integer>comparingDouble(i -> -dot(docs[i], query)).thenComparingInt(i -> i));
    return order.subList(0, Math.min(k, docs.length)).stream().mapToInt(Integer::intValue).toArray();
  }

  /** Inner product accumulated in double. */
  public static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }

  /** Vectors with components in {-2, ..., 2}: their inner products are exact in float32. */
  public static float[][] integerVectors(Random random, int n, int dim) {
    float[][] v = new float[n][dim];
    for (float[] row : v) {
      for (int j = 0; j < dim; j++) {
        row[j] = random.nextInt(5) - 2;
      }
    }
    return v;
  }

  /** Random unit-length vectors. */
  public static float[][] normalised(Random random, int n, int dim) {
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

  private static float[][] withDuplicates(Random random, float[][] d) {
    for (int i = 0; i < d.length / 3; i++) {
      d[random.nextInt(d.length)] = d[random.nextInt(d.length)].clone();
    }
    return d;
  }
}
