package dev.kalm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kalm.data.search.SearchConfig;
import dev.kalm.data.search.SearchResults;
import dev.kalm.data.search.TopHits;
import dev.kalm.data.search.VectorIndexes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The block plan of {@link ExactTopK} without Spark: cut the corpus (ids ascending, any ids) into blocks,
 * search each block on its own, map block rows to ids, merge the partial lists in any order: the result
 * equals one search over the whole corpus, ties included.
 */
class BlockPlanPropertiesTest {
  @Property(tries = 200)
  void blocksMergedInAnyOrderEqualTheWholeSearch(@ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int size,
      @ForAll @IntRange(min = 1, max = 8) int blocks, @ForAll @IntRange(min = 1, max = 25) int k) {
    Random random = new Random(seed);
    int dim = 1 + random.nextInt(5);
    float[][] corpus = ExactTopKTest.tiedVectors(random, size, dim);
    float[][] queries = ExactTopKTest.tiedVectors(random, 1 + random.nextInt(6), dim);
    TreeSet<Integer> idSet = new TreeSet<>();
    while (idSet.size() < size) {
      idSet.add(random.nextInt(10 * size + 10));
    }
    int[] ids = idSet.stream().mapToInt(Integer::intValue).toArray(); // row r has the r-th smallest id

    SearchResults whole = VectorIndexes.exact(corpus, SearchConfig.deterministic()).search(queries, k);
    // Random cut points: blocks of uneven size, at least one row each.
    List<Integer> cuts = new ArrayList<>();
    for (int b = 1; b < Math.min(blocks, size); b++) {
      cuts.add(1 + random.nextInt(size - 1));
    }
    cuts.add(0);
    cuts.add(size);
    int[] bounds = cuts.stream().distinct().sorted().mapToInt(Integer::intValue).toArray();
    for (int q = 0; q < queries.length; q++) {
      List<TopHits> parts = new ArrayList<>();
      for (int b = 0; b + 1 < bounds.length; b++) {
        float[][] block = Arrays.copyOfRange(corpus, bounds[b], bounds[b + 1]);
        int[] blockIds = Arrays.copyOfRange(ids, bounds[b], bounds[b + 1]);
        TopHits local = VectorIndexes.exact(block, SearchConfig.deterministic()).search(new float[][] {queries[q]}, k).hits(0);
        parts.add(ExactTopK.globalIds(local, blockIds));
      }
      Collections.shuffle(parts, random);
      TopHits merged = TopHits.merge(parts, k);
      assertEquals(ExactTopK.globalIds(whole.hits(q), ids), merged);
    }
  }
}
