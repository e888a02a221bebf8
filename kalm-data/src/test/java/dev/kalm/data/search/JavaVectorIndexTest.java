package dev.kalm.data.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The deterministic Java kernel against the {@link VectorIndexContract}, plus its bit-exactness promises. */
class JavaVectorIndexTest extends VectorIndexContract {
  @Override
  protected VectorIndex index(float[][] docs, int queryBlock, int docBlock) {
    return VectorIndexes.exact(docs,
        SearchConfig.builder().kernel(SearchConfig.Kernel.JAVA).queryBlock(queryBlock).docBlock(docBlock).build());
  }

  /** Scores are a function of the two vectors only: the same bits for any blocks, and equal to score(). */
  @Property(tries = 30)
  void scoresDoNotDependOnBlocks(
      @ForAll @IntRange(min = 1, max = 50) int dim,
      @ForAll @IntRange(min = 1, max = 90) int docs,
      @ForAll @IntRange(min = 1, max = 70) int queryBlock,
      @ForAll @IntRange(min = 1, max = 90) int docBlock,
      @ForAll long seed) {
    Random random = new Random(seed);
    float[][] d = normalised(random, docs, dim);
    float[][] q = normalised(random, 9, dim);
    VectorIndex reference = index(d, 1, 1);
    VectorIndex blocked = index(d, queryBlock, docBlock);
    SearchResults a = reference.search(q, docs);
    SearchResults b = blocked.search(q, docs);
    for (int i = 0; i < q.length; i++) {
      assertEquals(a.hits(i), b.hits(i), "query " + i);
      for (int r = 0; r < docs; r++) {
        assertEquals(Float.floatToIntBits(reference.score(q[i], a.id(i, r))), Float.floatToIntBits(a.score(i, r)));
      }
    }
  }

  @Test
  void searchesA100kBy896CorpusInBoundedMemory() {
    // Only the corpus (and the index's copy) is held, never a queries x docs matrix.
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
    SearchResults hits = VectorIndexes.exact(d, SearchConfig.deterministic()).search(q, 1000);
    assertEquals(1000, hits.count(0));
    assertEquals(1000, hits.count(1));
    assertTrue(hits.score(0, 0) >= JavaVectorIndex.dot(q[0], d[123]));
    assertTrue(hits.score(0, 0) >= hits.score(0, 999));
  }
}
