package dev.kalm.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.apache.spark.sql.functions.col;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.kalm.data.search.SearchConfig;
import dev.kalm.data.search.SearchResults;
import dev.kalm.data.search.TopHits;
import dev.kalm.data.search.VectorIndex;
import dev.kalm.data.search.VectorIndexes;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Exact top-k inner-product search of a query set against a corpus on Spark, with the same answer as
 * kalm's single-machine {@link VectorIndex} over the corpus ordered by id: for each query the {@code k}
 * corpus rows with the largest inner product, best first, equal scores ordered by the lower corpus id.
 *
 * <p>Inputs are DataFrames with an id column and a vector column ({@code array<float>}, one dimension
 * throughout): corpus ids are {@code int} (distinct, &gt;= 0), query ids {@code long} (distinct). The
 * result has one row per query: {@code id} (the query id), {@code hit_ids} ({@code array<int>}) and
 * {@code hit_scores} ({@code array<float>}), in no particular row order.
 *
 * <p>Two plans, chosen by the corpus size ({@link Plan#AUTO}):
 * <ul>
 *   <li>{@link Plan#BROADCAST}: the corpus (ids and float32 vectors, about {@code 4 x rows x dimension}
 *       bytes) is collected and broadcast; each executor builds one index per JVM and searches its query
 *       partitions {@code queryBlock} queries at a time. Used when the corpus is at most
 *       {@code broadcastLimitBytes}.
 *   <li>{@link Plan#BLOCKS}: queries and corpus are range-partitioned by id into blocks of at most
 *       {@code queryBlock} / {@code corpusBlock} rows; every (query block, corpus block) pair is searched
 *       as one task with kalm's exact search, and each query's partial lists are merged with
 *       {@link TopHits#merge}, which is associative and commutative (score descending, then lower id), so
 *       the order in which Spark combines them does not matter.
 * </ul>
 *
 * <p>Exactness: with {@link SearchConfig.Kernel#JAVA} (the default, {@link SearchConfig#deterministic()})
 * every score is a pure function of the two vectors, so both plans return bit for bit what
 * {@code VectorIndexes.exact(corpusById, SearchConfig.deterministic()).search(queries, k)} returns, ties
 * included. With {@link SearchConfig.Kernel#MATMUL} the ranking rule is the same but a score may differ in
 * its last bits with the block shape. Immutable and thread-safe.
 *
 * <pre>{@code
 * Dataset<Row> top = ExactTopK.builder().k(100).build().search(queries, corpus);
 * }</pre>
 */
public final class ExactTopK implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ExactTopK.class);
  /** Indexes built from broadcasts, per executor JVM: one build serves every task of the executor. */
  private static final Cache<Long, VectorIndex> INDEXES = CacheBuilder.newBuilder().maximumSize(2).build();

  /** How the search is distributed. */
  public enum Plan {
    /** {@link #BROADCAST} when the corpus fits {@code broadcastLimitBytes}, else {@link #BLOCKS}. */
    AUTO,
    /** The corpus is broadcast to every executor. */
    BROADCAST,
    /** Blocks of queries x blocks of corpus, partial lists merged. */
    BLOCKS
  }

  /** Output column: the query id. */
  public static final String ID = "id";
  /** Output column: corpus ids of the hits, best first. */
  public static final String HIT_IDS = "hit_ids";
  /** Output column: scores of the hits, best first. */
  public static final String HIT_SCORES = "hit_scores";

  private static final StructType OUTPUT = new StructType()
      .add(ID, DataTypes.LongType, false)
      .add(HIT_IDS, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add(HIT_SCORES, DataTypes.createArrayType(DataTypes.FloatType, false), false);

  private final int k;
  private final Plan plan;
  private final int queryBlock;
  private final int corpusBlock;
  private final long broadcastLimitBytes;
  private final boolean deterministic;
  private final String idCol;
  private final String vectorCol;

  private ExactTopK(Builder b) {
    checkArgument(b.k >= 1, "k must be >= 1, got %s", b.k);
    checkArgument(b.queryBlock >= 1, "queryBlock must be >= 1, got %s", b.queryBlock);
    checkArgument(b.corpusBlock >= 1, "corpusBlock must be >= 1, got %s", b.corpusBlock);
    checkArgument(b.broadcastLimitBytes >= 0, "broadcastLimitBytes must be >= 0, got %s", b.broadcastLimitBytes);
    this.k = b.k;
    this.plan = checkNotNull(b.plan, "plan");
    this.queryBlock = b.queryBlock;
    this.corpusBlock = b.corpusBlock;
    this.broadcastLimitBytes = b.broadcastLimitBytes;
    this.deterministic = b.deterministic;
    this.idCol = checkNotNull(b.idCol, "idCol");
    this.vectorCol = checkNotNull(b.vectorCol, "vectorCol");
  }

  /** A builder: k 100, {@link Plan#AUTO}, blocks of 1024 queries and 16384 corpus rows, 256 MiB broadcast limit. */
  public static Builder builder() {
    return new Builder();
  }

  /** The number of hits per query. */
  public int k() {
    return k;
  }

  /** The schema of {@link #search}'s result. */
  public static StructType outputSchema() {
    return OUTPUT;
  }

  /**
   * The top {@code k} corpus rows of every query (fewer when the corpus is smaller).
   *
   * @throws IllegalArgumentException when a column is missing or of the wrong type; while running, for
   *     a null or wrongly sized vector, a negative or repeated corpus id or a repeated query id (naming it)
   */
  public Dataset<Row> search(Dataset<Row> queries, Dataset<Row> corpus) {
    checkColumns(queries, DataTypes.LongType, "queries");
    checkColumns(corpus, DataTypes.IntegerType, "corpus");
    SparkSession spark = corpus.sparkSession();
    Plan chosen = plan;
    if (chosen == Plan.AUTO) {
      List<Row> first = corpus.select(vectorCol).limit(1).collectAsList();
      checkArgument(!first.isEmpty(), "the corpus is empty");
      long bytes = 4L * corpus.count() * (first.get(0).isNullAt(0) ? 0 : first.get(0).getList(0).size());
      chosen = bytes <= broadcastLimitBytes ? Plan.BROADCAST : Plan.BLOCKS;
      LOG.info("kalm-spark: top-{} search, corpus about {} MiB: {} plan", k, bytes >> 20, chosen);
    }
    Dataset<Row> q = queries.select(col(idCol).as(ID), col(vectorCol));
    Dataset<Row> c = corpus.select(col(idCol).as(ID), col(vectorCol));
    return chosen == Plan.BROADCAST ? broadcastPlan(spark, q, c) : blockPlan(spark, q, c);
  }

  private Dataset<Row> broadcastPlan(SparkSession spark, Dataset<Row> queries, Dataset<Row> corpus) {
    Block all = Block.of(corpus.orderBy(ID).collectAsList(), true, "corpus");
    checkArgument(all.size() > 0, "the corpus is empty");
    Broadcast<Block> shared = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(all);
    long broadcastId = shared.id();
    boolean exact = deterministic;
    int kk = k;
    int rows = queryBlock;
    return queries.mapPartitions((MapPartitionsFunction<Row, Row>) it -> Chunks.map(it, rows, chunk -> {
      VectorIndex index = INDEXES.get(broadcastId, () -> VectorIndexes.exact(shared.value().vectors, searchConfig(exact)));
      int[] corpusIds = shared.value().intIds();
      Block block = Block.of(chunk, false, "queries");
      checkArgument(block.dimension() == index.dimension(), "query %s has %s components, the corpus %s",
          block.ids[0], block.dimension(), index.dimension());
      SearchResults results = index.search(block.vectors, kk);
      List<Row> out = new ArrayList<>(block.size());
      for (int r = 0; r < block.size(); r++) {
        out.add(row(block.ids[r], globalIds(results.hits(r), corpusIds)));
      }
      return out;
    }), Encoders.row(OUTPUT));
  }

  private Dataset<Row> blockPlan(SparkSession spark, Dataset<Row> queries, Dataset<Row> corpus) {
    JavaRDD<Block> queryBlocks = blocks(queries, queryBlock, false, "queries");
    JavaRDD<Block> corpusBlocks = blocks(corpus, corpusBlock, true, "corpus");
    boolean exact = deterministic;
    int kk = k;
    JavaPairRDD<Long, Hits> partial = queryBlocks.cartesian(corpusBlocks).flatMapToPair(pair -> {
      Block qs = pair._1();
      Block cs = pair._2();
      checkArgument(qs.dimension() == cs.dimension(), "query %s has %s components, corpus row %s has %s", qs.ids[0],
          qs.dimension(), cs.ids[0], cs.dimension());
      SearchResults results = VectorIndexes.exact(cs.vectors, searchConfig(exact)).search(qs.vectors, kk);
      int[] corpusIds = cs.intIds();
      List<Tuple2<Long, Hits>> out = new ArrayList<>(qs.size());
      for (int r = 0; r < qs.size(); r++) {
        out.add(new Tuple2<>(qs.ids[r], Hits.of(globalIds(results.hits(r), corpusIds))));
      }
      return out.iterator();
    });
    int partitions = Math.max(1, queryBlocks.getNumPartitions());
    JavaRDD<Row> merged = partial.reduceByKey((a, b) -> Hits.of(TopHits.merge(a.topHits(), b.topHits(), kk)), partitions)
        .map(t -> row(t._1(), t._2().topHits()));
    return spark.createDataFrame(merged, OUTPUT);
  }

  /** Rows range-partitioned and sorted by id, cut into blocks of at most {@code rows}. */
  private static JavaRDD<Block> blocks(Dataset<Row> data, int rows, boolean corpus, String what) {
    long count = data.count();
    int partitions = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (count + rows - 1) / rows));
    return data.repartitionByRange(partitions, col(ID)).sortWithinPartitions(ID).javaRDD().mapPartitions(it -> {
      List<Block> out = new ArrayList<>();
      List<Row> chunk = new ArrayList<>(Math.min(rows, 1 << 16));
      Object last = null;
      while (it.hasNext()) {
        Row r = it.next();
        checkArgument(last == null || !last.equals(r.get(0)), "%s id %s is not unique", what, r.get(0));
        last = r.get(0);
        chunk.add(r);
        if (chunk.size() == rows || !it.hasNext()) {
          out.add(Block.of(chunk, corpus, what));
          chunk.clear();
        }
      }
      return out.iterator();
    });
  }

  /** Built where it runs: a search config holds a device, which does not travel. */
  private static SearchConfig searchConfig(boolean deterministic) {
    return deterministic ? SearchConfig.deterministic() : SearchConfig.defaults();
  }

  /** Block-local hit rows mapped to corpus ids; ids ascend with rows, so the tie order is kept. */
  static TopHits globalIds(TopHits local, int[] corpusIds) {
    int[] rows = local.ids();
    for (int i = 0; i < rows.length; i++) {
      rows[i] = corpusIds[rows[i]];
    }
    return new TopHits(rows, local.scores());
  }

  private static Row row(long id, TopHits hits) {
    return RowFactory.create(id, hits.ids(), hits.scores());
  }

  private void checkColumns(Dataset<Row> data, org.apache.spark.sql.types.DataType idType, String what) {
    StructType schema = data.schema();
    List<String> names = Arrays.asList(schema.fieldNames());
    checkArgument(names.contains(idCol) && names.contains(vectorCol), "%s must have columns '%s' and '%s', got %s",
        what, idCol, vectorCol, schema.simpleString());
    checkArgument(schema.apply(idCol).dataType().equals(idType), "%s column '%s' must be %s, got %s", what, idCol,
        idType.simpleString(), schema.apply(idCol).dataType().simpleString());
    checkArgument(schema.apply(vectorCol).dataType().equals(DataTypes.createArrayType(DataTypes.FloatType, false))
            || schema.apply(vectorCol).dataType().equals(DataTypes.createArrayType(DataTypes.FloatType, true)),
        "%s column '%s' must be array<float>, got %s", what, vectorCol, schema.apply(vectorCol).dataType().simpleString());
  }

  /** Rows of (id, vector) sorted by id, as arrays. */
  static final class Block implements Serializable {
    private static final long serialVersionUID = 1L;
    final long[] ids;
    final float[][] vectors;

    private Block(long[] ids, float[][] vectors) {
      this.ids = ids;
      this.vectors = vectors;
    }

    static Block of(List<Row> rows, boolean corpus, String what) {
      long[] ids = new long[rows.size()];
      float[][] vectors = new float[rows.size()][];
      for (int i = 0; i < rows.size(); i++) {
        Row r = rows.get(i);
        checkArgument(!r.isNullAt(0), "%s has a null id", what);
        ids[i] = corpus ? r.getInt(0) : r.getLong(0);
        checkArgument(!corpus || ids[i] >= 0, "corpus id must be >= 0, got %s", ids[i]);
        checkArgument(!corpus || i == 0 || ids[i] != ids[i - 1], "corpus id %s is not unique", ids[i]);
        checkArgument(!r.isNullAt(1), "%s id %s has a null vector", what, ids[i]);
        List<Float> v = r.getList(1);
        vectors[i] = new float[v.size()];
        for (int j = 0; j < vectors[i].length; j++) {
          Float x = v.get(j);
          checkArgument(x != null && Float.isFinite(x), "%s id %s: vector component %s is %s", what, ids[i], j, x);
          vectors[i][j] = x;
        }
        checkArgument(vectors[i].length == vectors[0].length, "%s id %s has %s components, id %s has %s", what,
            ids[i], vectors[i].length, ids[0], vectors[0].length);
      }
      return new Block(ids, vectors);
    }

    int size() {
      return ids.length;
    }

    int dimension() {
      return vectors.length == 0 ? 0 : vectors[0].length;
    }

    int[] intIds() {
      int[] out = new int[ids.length];
      for (int i = 0; i < ids.length; i++) {
        out[i] = (int) ids[i];
      }
      return out;
    }
  }

  /** A serialisable partial top list (TopHits is a plain record). */
  record Hits(int[] ids, float[] scores) implements Serializable {
    static Hits of(TopHits hits) {
      return new Hits(hits.ids(), hits.scores());
    }

    TopHits topHits() {
      return new TopHits(ids, scores);
    }
  }

  /** Builder of {@link ExactTopK}; not thread-safe. */
  public static final class Builder {
    private int k = 100;
    private Plan plan = Plan.AUTO;
    private int queryBlock = 1024;
    private int corpusBlock = 16384;
    private long broadcastLimitBytes = 256L << 20;
    private boolean deterministic = true;
    private String idCol = "id";
    private String vectorCol = "embedding";

    private Builder() {}

    /** Hits per query, at least 1 (default 100). */
    public Builder k(int k) { this.k = k; return this; }
    /** The plan (default {@link Plan#AUTO}). */
    public Builder plan(Plan plan) { this.plan = plan; return this; }
    /** Queries searched together, and rows of a query block of {@link Plan#BLOCKS} (default 1024). */
    public Builder queryBlock(int rows) { this.queryBlock = rows; return this; }
    /** Rows of a corpus block of {@link Plan#BLOCKS} (default 16384). */
    public Builder corpusBlock(int rows) { this.corpusBlock = rows; return this; }
    /** Largest corpus (float32 bytes) {@link Plan#AUTO} broadcasts (default 256 MiB). */
    public Builder broadcastLimitBytes(long bytes) { this.broadcastLimitBytes = bytes; return this; }
    /**
     * True (default) for the deterministic Java kernel: results identical to the single-machine search
     * with {@link SearchConfig#deterministic()}; false for the faster matmul kernel (same ranking rule,
     * scores may differ in the last bits between block shapes).
     */
    public Builder deterministic(boolean deterministic) { this.deterministic = deterministic; return this; }
    /** Id column of both inputs (default {@code id}). */
    public Builder idCol(String name) { this.idCol = name; return this; }
    /** Vector column of both inputs (default {@code embedding}, as {@link KalmEmbedder} writes). */
    public Builder vectorCol(String name) { this.vectorCol = name; return this; }

    /** @throws IllegalArgumentException naming a bad value */
    public ExactTopK build() {
      return new ExactTopK(this);
    }
  }
}
