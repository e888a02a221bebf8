package dev.kalm.data.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The two kernels agree: the same ids in the same order, ties included (score descending, then lower id),
 * exactly where float32 arithmetic is exact; on real unit-length vectors scores within
 * {@link VectorIndexes#KERNEL_TOLERANCE} and the same ids except where two scores lie within it.
 */
class VectorIndexAgreementTest {

  private static VectorIndex matmul(float[][] docs, int queryBlock, int docBlock) {
    return VectorIndexes.exact(docs, SearchConfig.builder().queryBlock(queryBlock).docBlock(docBlock).build());
  }

  private static VectorIndex java(float[][] docs, int queryBlock, int docBlock) {
    return VectorIndexes.exact(docs,
        SearchConfig.builder().kernel(SearchConfig.Kernel.JAVA).queryBlock(queryBlock).docBlock(docBlock).build());
  }

  @Property(tries = 40)
  void identicalOnExactArithmeticWithForcedTies(
      @ForAll @IntRange(min = 1, max = 8) int dim,
      @ForAll @IntRange(min = 1, max = 80) int docs,
      @ForAll @IntRange(min = 1, max = 30) int k,
      @ForAll @IntRange(min = 1, max = 9) int queryBlock,
      @ForAll @IntRange(min = 1, max = 25) int docBlock,
      @ForAll long seed) {
    Random random = new Random(seed);
    float[][] d = VectorIndexContract.integerVectors(random, docs, dim);
    for (int i = 0; i < docs / 2; i++) {
      d[random.nextInt(docs)] = d[random.nextInt(docs)].clone();
    }
    float[][] q = VectorIndexContract.integerVectors(random, 6, dim);
    SearchResults a = matmul(d, queryBlock, docBlock).search(q, k);
    SearchResults b = java(d, docBlock, queryBlock).search(q, k);
    for (int i = 0; i < q.length; i++) {
      assertArrayEquals(a.ids(i), b.ids(i), "query " + i);
      for (int r = 0; r < a.count(i); r++) { // equal as numbers: the matmul kernel may give -0.0 for 0.0
        assertEquals(b.score(i, r), a.score(i, r), 0f, "query " + i + " rank " + r);
      }
    }
  }

  @Property(tries = 12)
  void withinToleranceOnUnitVectors(
      @ForAll @IntRange(min = 8, max = 1024) int dim,
      @ForAll @IntRange(min = 1, max = 400) int docs,
      @ForAll long seed) {
    Random random = new Random(seed);
    float[][] d = VectorIndexContract.normalised(random, docs, dim);
    float[][] q = VectorIndexContract.normalised(random, 8, dim);
    VectorIndex java = java(d, 64, 64);
    SearchResults a = matmul(d, 5, 97).search(q, 50);
    SearchResults b = java.search(q, 50);
    for (int i = 0; i < q.length; i++) {
      assertEquals(a.count(i), b.count(i));
      for (int r = 0; r < a.count(i); r++) {
        assertEquals(b.score(i, r), a.score(i, r), VectorIndexes.KERNEL_TOLERANCE, "query " + i + " rank " + r);
        if (a.id(i, r) != b.id(i, r)) { // only a near-tie may swap
          float other = java.score(q[i], a.id(i, r));
          assertTrue(Math.abs(other - b.score(i, r)) <= 2 * VectorIndexes.KERNEL_TOLERANCE,
              "query " + i + " rank " + r + ": ids " + a.id(i, r) + " vs " + b.id(i, r) + " are not a near-tie");
        }
      }
    }
  }

  /** The largest score difference at the model's shape (896 dimensions); printed for the docs. */
  @Test
  void largestDifferenceAtDimension896() {
    Random random = new Random(7);
    float[][] d = VectorIndexContract.normalised(random, 2000, 896);
    float[][] q = VectorIndexContract.normalised(random, 64, 896);
    SearchResults a = matmul(d, 1024, 16384).search(q, 100);
    SearchResults b = java(d, 64, 64).search(q, 100);
    double worst = 0;
    int sameIds = 0;
    int total = 0;
    for (int i = 0; i < q.length; i++) {
      for (int r = 0; r < 100; r++) {
        worst = Math.max(worst, Math.abs(a.score(i, r) - b.score(i, r)));
        sameIds += a.id(i, r) == b.id(i, r) ? 1 : 0;
        total++;
      }
    }
    System.out.printf("kernel agreement at dim 896: max |score diff| %.2e, same id at %d of %d ranks%n", worst,
        sameIds, total);
    assertTrue(worst <= VectorIndexes.KERNEL_TOLERANCE, "max difference " + worst);
  }
}
