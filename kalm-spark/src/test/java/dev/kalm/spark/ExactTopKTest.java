package dev.kalm.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.data.search.SearchConfig;
import dev.kalm.data.search.SearchResults;
import dev.kalm.data.search.VectorIndexes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ExactTopKTest {
  /** Vectors of small integers: many exactly equal scores (forced ties), all sums exact in float32. */
  static float[][] tiedVectors(Random random, int n, int dim) {
    float[][] v = new float[n][dim];
    for (float[] row : v) {
      for (int j = 0; j < dim; j++) {
        row[j] = random.nextInt(3) - 1;
      }
    }
    return v;
  }

  static Dataset<Row> frame(SparkSession spark, float[][] vectors, int[] ids, boolean longIds, int partitions) {
    StructType schema = new StructType()
        .add("id", longIds ? DataTypes.LongType : DataTypes.IntegerType, false)
        .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < vectors.length; i++) {
      rows.add(RowFactory.create(longIds ? (Object) (long) ids[i] : (Object) ids[i], vectors[i]));
    }
    Collections.shuffle(rows, new Random(ids.length)); // input order must not matter
    return spark.createDataFrame(rows, schema).repartition(partitions);
  }

  private static int[] range(int n, int step, int offset) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = offset + step * i;
    }
    return ids;
  }

  @Test
  void bothPlansEqualTheSingleMachineSearchWithTiesAndUnevenBlocks() {
    SparkSession spark = SparkTests.spark();
    Random random = new Random(11);
    float[][] corpus = tiedVectors(random, 53, 6);
    float[][] queries = tiedVectors(random, 29, 6);
    int[] corpusIds = range(53, 3, 5); // not 0..n-1: ids rank like rows, so ties still go to the lower id
    int[] queryIds = range(29, 1, 1000);
    SearchResults expected = VectorIndexes.exact(corpus, SearchConfig.deterministic()).search(queries, 10);
    int ties = 0;
    for (int q = 0; q < queries.length; q++) {
      float[] s = expected.scores(q);
      for (int r = 1; r < s.length; r++) {
        ties += s[r] == s[r - 1] ? 1 : 0;
      }
    }
    assertTrue(ties > 50, "the data must force ties, got " + ties);

    for (ExactTopK.Plan plan : List.of(ExactTopK.Plan.BROADCAST, ExactTopK.Plan.BLOCKS)) {
      ExactTopK topK = ExactTopK.builder().k(10).plan(plan).queryBlock(7).corpusBlock(8).build();
      Map<Long, Row> got = byId(topK.search(frame(spark, queries, queryIds, true, 3), frame(spark, corpus, corpusIds, false, 4)));
      assertEquals(queries.length, got.size(), plan.name());
      for (int q = 0; q < queries.length; q++) {
        Row row = got.get((long) queryIds[q]);
        int[] ids = expected.ids(q);
        for (int r = 0; r < ids.length; r++) {
          ids[r] = corpusIds[ids[r]];
        }
        assertArrayEquals(ids, toInts(row.getList(1)), plan + " query " + q);
        assertArrayEquals(expected.scores(q), toFloats(row.getList(2)), plan + " query " + q);
      }
    }
  }

  @Test
  void kLargerThanTheCorpusAndAutoPlan() {
    SparkSession spark = SparkTests.spark();
    Random random = new Random(5);
    float[][] corpus = tiedVectors(random, 9, 4);
    float[][] queries = tiedVectors(random, 4, 4);
    SearchResults expected = VectorIndexes.exact(corpus, SearchConfig.deterministic()).search(queries, 50);
    for (long limit : new long[] {0, 1 << 20}) { // AUTO: blocks, then broadcast
      Map<Long, Row> got = byId(ExactTopK.builder().k(50).broadcastLimitBytes(limit).corpusBlock(4).build()
          .search(frame(spark, queries, range(4, 1, 0), true, 2), frame(spark, corpus, range(9, 1, 0), false, 2)));
      for (int q = 0; q < queries.length; q++) {
        assertArrayEquals(expected.ids(q), toInts(got.get((long) q).getList(1)));
        assertEquals(9, got.get((long) q).getList(1).size());
      }
    }
  }

  @Test
  void badInputFailsNamingTheRow() {
    SparkSession spark = SparkTests.spark();
    float[][] corpus = {{1, 0}, {0, 1}, {1, 1}};
    Dataset<Row> queries = frame(spark, new float[][] {{1, 0}}, new int[] {0}, true, 1);
    SparkException repeated = assertThrows(SparkException.class, () -> ExactTopK.builder().k(2).plan(ExactTopK.Plan.BLOCKS)
        .build().search(queries, frame(spark, corpus, new int[] {4, 7, 4}, false, 2)).collectAsList());
    assertTrue(rootMessage(repeated).contains("id 4 is not unique"), rootMessage(repeated));
    IllegalArgumentException broadcastRepeated = assertThrows(IllegalArgumentException.class, () -> ExactTopK.builder()
        .k(2).plan(ExactTopK.Plan.BROADCAST).build().search(queries, frame(spark, corpus, new int[] {4, 7, 4}, false, 2)));
    assertTrue(broadcastRepeated.getMessage().contains("corpus id 4 is not unique"), broadcastRepeated.getMessage());
    IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class, () -> ExactTopK.builder().build()
        .search(queries, frame(spark, corpus, new int[] {0, 1, 2}, true, 1)));
    assertTrue(wrongType.getMessage().contains("must be int"), wrongType.getMessage());
    SparkException dimension = assertThrows(SparkException.class, () -> ExactTopK.builder().k(2).plan(ExactTopK.Plan.BROADCAST)
        .build().search(frame(spark, new float[][] {{1, 0, 0}}, new int[] {9}, true, 1),
            frame(spark, corpus, new int[] {0, 1, 2}, false, 1)).collectAsList());
    assertTrue(rootMessage(dimension).contains("query 9 has 3 components"), rootMessage(dimension));
  }

  static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage();
  }

  private static Map<Long, Row> byId(Dataset<Row> result) {
    Map<Long, Row> out = new HashMap<>();
    for (Row row : result.collectAsList()) {
      out.put(row.getLong(0), row);
    }
    return out;
  }

  private static int[] toInts(List<Integer> list) {
    return list.stream().mapToInt(Integer::intValue).toArray();
  }

  private static float[] toFloats(List<Float> list) {
    float[] out = new float[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }
}
