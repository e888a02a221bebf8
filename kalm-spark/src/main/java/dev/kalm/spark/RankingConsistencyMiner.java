package dev.kalm.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static org.apache.spark.sql.functions.col;

import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.model.Prompt;
import dev.kalm.data.example.ExampleJson;
import dev.kalm.data.example.Texts;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.filter.DataFilters;
import dev.kalm.data.filter.FilterReport;
import dev.kalm.data.filter.FilterTally;
import dev.kalm.data.filter.MiningConfig;
import dev.kalm.data.filter.MiningRule;
import dev.kalm.data.filter.PoolScope;
import dev.kalm.data.search.SearchConfig;
import dev.kalm.data.search.TopHits;
import dev.kalm.data.search.VectorIndexes;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * KaLM's ranking-consistency filter and hard-negative mining on Spark, with the same result as
 * {@code kalm mine} ({@link DataFilters#dedupDocuments()}, {@link DataFilters#dedupExamples()} and
 * {@link DataFilters#rankingConsistency} in one chain) on the same input:
 * <ol>
 *   <li>documents deduplicated inside each example, then examples deduplicated by normalised query and
 *       first positive, keeping the first in input order;
 *   <li>the pool: every positive and negative of the kept examples in first-occurrence order (or a given
 *       corpus in its order), numbered from 0; queries with their prompt (the example's instruction or
 *       the configured query prompt);
 *   <li>pool and queries embedded with {@link KalmEmbedder} (the teacher), the top
 *       {@link MiningConfig#retrievalDepth()} pool texts of every query found with {@link ExactTopK};
 *   <li>each example decided by {@link MiningRule#decide}, the per-example rule the single-machine filter
 *       calls too, seeded with {@link MiningRule#exampleSeed} of its stable index (its 0-based position
 *       after deduplication, in input order), never with a partition-dependent id.
 * </ol>
 * The search uses the deterministic kernel ({@link SearchConfig#deterministic()}): with the same
 * embeddings the kept set, the negatives and the report's counts equal the single-machine run with
 * {@code MiningConfig.search(SearchConfig.deterministic())}. Embeddings of one text agree between
 * batchings within 1e-6 (see {@link KalmEmbedder}); with {@code batchTokens} at most {@code maxLength}
 * every text is embedded alone on both sides and the agreement is exact.
 *
 * <p>Input: a DataFrame with {@code order} (long, the input order), {@code example} (string, one
 * training example in the {@link ExampleJson} layout) and optionally {@link #POOL}. Output: the kept
 * examples ({@code order} as in the input, {@code example} in the same layout), and a {@link FilterReport} shaped like {@code kalm mine}'s. The config's
 * {@code search} and {@code corpus} are not used: the search is {@link ExactTopK}'s and a corpus is a
 * DataFrame argument. Not thread-safe; one {@link #mine} at a time.
 */
public final class RankingConsistencyMiner {
  private static final Logger LOG = LoggerFactory.getLogger(RankingConsistencyMiner.class);

  /** Input / output column: the input order. */
  public static final String ORDER = "order";
  /**
   * Optional input column: the example's pool (e.g. its file's ordinal for KaLM's per-file pools). Each
   * pool is mined on its own, as {@code kalm mine --pool per-file} mines each file: deduplicated within
   * the pool, its examples indexed from 0, ranked against the pool's texts only. Without the column the
   * whole input is one pool ({@code --pool shared}).
   */
  public static final String POOL = "pool";
  /** Input / output column: the example as one JSON line. */
  public static final String EXAMPLE = "example";

  private static final StructType TEXTS = new StructType()
      .add("id", DataTypes.IntegerType, false).add("text", DataTypes.StringType, false)
      .add("prompt", DataTypes.StringType, false);
  private static final StructType QUERIES = new StructType()
      .add("id", DataTypes.LongType, false).add("text", DataTypes.StringType, false)
      .add("prompt", DataTypes.StringType, false);
  private static final StructType OUTPUT = new StructType()
      .add(ORDER, DataTypes.LongType, false).add(EXAMPLE, DataTypes.StringType, false);

  private final KalmEmbedder teacher;
  private final MiningConfig config;
  private final ExactTopK.Builder search;
  private final boolean dedup;

  private RankingConsistencyMiner(KalmEmbedder teacher, MiningConfig config, ExactTopK.Builder search, boolean dedup) {
    this.teacher = checkNotNull(teacher, "teacher");
    this.config = checkNotNull(config, "config");
    this.search = checkNotNull(search, "search");
    this.dedup = dedup;
    checkArgument(config.corpus().isEmpty(), "pass a corpus as a DataFrame to mine(), not in MiningConfig.corpus");
  }

  /** A miner with {@code teacher}'s model and settings, the config's rule, and {@link ExactTopK}'s default plan. */
  public static RankingConsistencyMiner create(KalmEmbedder teacher, MiningConfig config) {
    return new RankingConsistencyMiner(teacher, config, ExactTopK.builder(), true);
  }

  /** This miner with another search setup (plan, blocks, broadcast limit; k and columns are set here). */
  public RankingConsistencyMiner withSearch(ExactTopK.Builder builder) {
    return new RankingConsistencyMiner(teacher, config, builder, dedup);
  }

  /**
   * This miner with or without the two deduplication steps before the filter (default with, as
   * {@code kalm mine}; without, as {@code kalm mine --no-dedup}: the report then has the filter only).
   */
  public RankingConsistencyMiner withDedup(boolean deduplicate) {
    return new RankingConsistencyMiner(teacher, config, search, deduplicate);
  }

  /** The schema of {@link Result#kept()}: {@code order}, {@code example}. */
  public static StructType schema() {
    return OUTPUT;
  }

  /**
   * The input rows of a list of examples, in list order (small inputs and tests; jobs read files).
   */
  public static Dataset<Row> examples(SparkSession spark, List<TrainingExample> examples) {
    List<Row> rows = new ArrayList<>(examples.size());
    for (int i = 0; i < examples.size(); i++) {
      rows.add(RowFactory.create((long) i, ExampleJson.toLine(examples.get(i))));
    }
    return spark.createDataFrame(rows, OUTPUT);
  }

  /**
   * The miner's input from training JSON Lines (a file or a folder, any Hadoop file system), read as
   * {@code kalm mine} reads it: files in name order, each file's name as the task of lines without one,
   * {@code order} = (file, line); with {@link PoolScope#PER_FILE} each file is its own {@link #POOL}.
   * Lazy; a bad line fails the job that reads it with {@code file:line: field '...': problem}.
   */
  public static Dataset<Row> readExamples(SparkSession spark, String path, PoolScope scope) {
    checkNotNull(scope, "scope");
    boolean shared = scope == PoolScope.SHARED;
    JavaRDD<Row> parsed = JsonLinesInput.lines(spark, JsonLinesInput.files(spark, path)).map(line -> {
      String source = line.getString(1);
      long number = line.getLong(2);
      JsonLine json = JsonLine.parse(line.getString(3), source, number);
      String example = ExampleJson.toLine(ExampleJson.parse(json, JsonLinesInput.taskOf(source)));
      return RowFactory.create(((long) line.getInt(0) << 40) | number, example, shared ? 0 : line.getInt(0));
    });
    return spark.createDataFrame(parsed, INPUT);
  }

  private static final StructType INPUT = new StructType()
      .add(ORDER, DataTypes.LongType, false).add(EXAMPLE, DataTypes.StringType, false).add(POOL, DataTypes.IntegerType, false);

  /** The kept examples and the report. */
  public record Result(Dataset<Row> kept, FilterReport report) {}

  /** Same as {@link #mine(Dataset, Dataset)} with the default pool (the input's positives and negatives). */
  public Result mine(Dataset<Row> examples) {
    return mine(examples, null);
  }

  /**
   * Filters and mines. Runs several Spark jobs (counts, embedding, search) before it returns; the kept
   * examples are computed and cached, so reading them costs no more model work. A bad example fails the job:
   * Spark throws an {@link org.apache.spark.SparkException} wrapping a {@code JsonLinesException} (checked in
   * Java, undeclared here as Spark's own Scala methods leave it).
   *
   * @param examples {@code order} (long, distinct) and {@code example} (string) columns
   * @param corpus null for the default pool, or the candidate pool: {@code order} (long) and {@code text}
   *     (string) columns, deduplicated by exact text keeping the first in order
   */
  public Result mine(Dataset<Row> examples, Dataset<Row> corpus) {
    SparkSession spark = examples.sparkSession();
    FilterTally chain = new FilterTally("chain");
    Tallies tallies = dedup
        ? new Tallies(chain, chain.part("dedup-documents"), chain.part("dedup-examples"), chain.part(rankingName()))
        : new Tallies(chain, new FilterTally("unused"), new FilterTally("unused"), chain.part(rankingName()));
    if (!Arrays.asList(examples.columns()).contains(POOL)) {
      Dataset<Row> kept = minePool(spark, examples, corpus, tallies);
      return new Result(kept, chain.report());
    }
    Dataset<Row> input = examples.persist(StorageLevel.MEMORY_AND_DISK()); // read once, filtered once per pool
    List<Row> pools = input.select(POOL).distinct().orderBy(POOL).collectAsList();
    Dataset<Row> all = null;
    for (Row pool : pools) {
      Dataset<Row> kept = minePool(spark, input.filter(col(POOL).equalTo(pool.get(0))), corpus, tallies);
      all = all == null ? kept : all.union(kept);
    }
    input.unpersist();
    return new Result(all == null ? spark.createDataFrame(List.of(), OUTPUT) : all, chain.report());
  }

  /** The four tallies of {@code kalm mine}'s report: the chain and its three filters. */
  private record Tallies(FilterTally chain, FilterTally documents, FilterTally duplicates, FilterTally ranking) {}

  /** One pool's run of the chain (the whole input, or one file with per-file pools). */
  private Dataset<Row> minePool(SparkSession spark, Dataset<Row> examples, Dataset<Row> corpus, Tallies tallies) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    FilterTally chain = tallies.chain();
    FilterTally documents = tallies.documents();
    FilterTally duplicates = tallies.duplicates();
    FilterTally ranking = tallies.ranking();
    List<JavaRDD<?>> cached = new ArrayList<>();

    // 1. Deduplicate documents inside examples, then examples (first in input order wins).
    boolean dedup = this.dedup;
    JavaPairRDD<Long, Deduped> deduped = examples.select(ORDER, EXAMPLE).javaRDD()
        .mapToPair(r -> new Tuple2<>(r.getLong(0), dedup ? Deduped.of(r.getLong(0), r.getString(1)) : Deduped.raw(r.getString(1))));
    cache(deduped.rdd().toJavaRDD(), cached);
    long[] docCounts = deduped.values().map(d -> new long[] {1, d.positivesRemoved, d.negativesRemoved, d.changed ? 1 : 0})
        .fold(new long[4], RankingConsistencyMiner::sum);
    chain.in(docCounts[0]);
    documents.in(docCounts[0]);
    documents.kept(docCounts[0]);
    if (docCounts[3] > 0) {
      documents.add("positives_removed", docCounts[1]);
      documents.add("negatives_removed", docCounts[2]);
    }
    JavaPairRDD<Long, String> unique = dedup
        ? deduped.mapToPair(t -> new Tuple2<>(t._2().dedupKey, new Tuple2<>(t._1(), t._2().json)))
            .reduceByKey((a, b) -> a._1() <= b._1() ? a : b)
            .mapToPair(Tuple2::_2)
        : examples.select(ORDER, EXAMPLE).javaRDD().mapToPair(r -> new Tuple2<>(r.getLong(0), r.getString(1)));
    // Stable index: position after deduplication, in input order.
    JavaPairRDD<Long, Tuple2<Long, String>> numbered = unique.sortByKey().zipWithIndex().mapToPair(Tuple2::swap);
    cache(numbered.rdd().toJavaRDD(), cached);
    JavaPairRDD<Long, String> indexed = numbered.mapValues(Tuple2::_2);
    cache(indexed.rdd().toJavaRDD(), cached);
    long n = indexed.count();
    duplicates.in(docCounts[0]);
    duplicates.kept(n);
    if (docCounts[0] > n) {
      duplicates.dropped(DataFilters.DUPLICATE_EXAMPLE, docCounts[0] - n);
    }
    ranking.in(n);
    if (n == 0) {
      cached.forEach(JavaRDD::unpersist);
      return spark.createDataFrame(List.of(), OUTPUT);
    }

    // 2. Pool (first occurrence), texts outside it that need scores, queries with their prompts.
    JavaPairRDD<Integer, String> poolTexts = corpus == null ? defaultPool(indexed) : corpusPool(corpus);
    cache(poolTexts.rdd().toJavaRDD(), cached);
    int poolSize = (int) poolTexts.count();
    checkArgument(poolSize > 0, "the candidate pool is empty");
    boolean recordScores = config.recordScores();
    JavaRDD<String> extra = indexed.values().flatMap(json -> {
      TrainingExample e = parse(json);
      List<String> out = new ArrayList<>(e.positives());
      if (recordScores) {
        out.addAll(e.negatives());
      }
      return out.iterator();
    }).distinct().subtract(poolTexts.values());
    JavaPairRDD<Integer, String> extraTexts = extra.zipWithIndex().mapToPair(t -> new Tuple2<>(poolSize + t._2().intValue(), t._1()));
    QueryPrompts cfg = new QueryPrompts(config.exampleInstructions(), config.queryPrompt().prefix());
    JavaPairRDD<Tuple2<String, String>, Long> queryIds = indexed.values()
        .map(json -> promptAndQuery(parse(json), cfg)).distinct().zipWithIndex();
    cache(queryIds.rdd().toJavaRDD(), cached);
    long queryCount = queryIds.count();

    // 3. Embed pool, extra texts and queries; search.
    long start = System.nanoTime();
    Dataset<Row> textRows = spark.createDataFrame(poolTexts.union(extraTexts).map(t -> RowFactory.create(t._1(), t._2(), "")), TEXTS);
    Dataset<Row> textVectors = copy(teacher).setPromptCol("prompt").transform(textRows).select("id", "embedding")
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> queryRows = spark.createDataFrame(queryIds.map(t -> RowFactory.create(t._2(), t._1()._2(), t._1()._1())), QUERIES);
    Dataset<Row> queryVectors = copy(teacher).setPromptCol("prompt").transform(queryRows).select("id", "embedding")
        .persist(StorageLevel.MEMORY_AND_DISK());
    long embedded = textVectors.count() + queryVectors.count();
    double embedSeconds = (System.nanoTime() - start) / 1e9;
    long searchStart = System.nanoTime();
    Dataset<Row> hits = search.k(config.retrievalDepth()).idCol("id").vectorCol("embedding").build()
        .search(queryVectors, textVectors.filter("id < " + poolSize)).persist(StorageLevel.MEMORY_AND_DISK());
    hits.count();
    double searchSeconds = (System.nanoTime() - searchStart) / 1e9;
    // Added, as the single-machine filter does: with per-file pools the runs sum into one report.
    ranking.add("pools", 1);
    ranking.add("pool_size", poolSize);
    ranking.add("queries", queryCount);
    ranking.add("embedded_texts", embedded);
    ranking.add("embed_seconds", embedSeconds);
    ranking.add("search_seconds", searchSeconds);
    ranking.add("search_scores", (double) queryCount * poolSize);
    double allSeconds = ranking.metric("search_seconds");
    ranking.set("search_scores_per_second", allSeconds > 0 ? ranking.metric("search_scores") / allSeconds : 0);
    LOG.info("kalm-spark: mining {} examples: pool {}, {} queries, embedded {} texts in {} s, searched in {} s", n,
        poolSize, queryCount, embedded, String.format(java.util.Locale.ROOT, "%.1f", embedSeconds),
        String.format(java.util.Locale.ROOT, "%.1f", searchSeconds));

    // Per example: its query id, with the query's vector and hits.
    JavaPairRDD<Long, Long> exampleQuery = indexed.mapToPair(t -> new Tuple2<>(promptAndQuery(parse(t._2()), cfg), t._1()))
        .join(queryIds).mapToPair(t -> new Tuple2<>(t._2()._1(), t._2()._2()));
    JavaPairRDD<Long, QueryData> queryData = queryVectors.javaRDD().mapToPair(r -> new Tuple2<>(r.getLong(0), vector(r, 1)))
        .join(hits.javaRDD().mapToPair(r -> new Tuple2<>(r.getLong(0), hitsOf(r))))
        .mapToPair(t -> new Tuple2<>(t._1(), new QueryData(t._2()._1(), t._2()._2())));
    JavaPairRDD<Long, QueryData> exampleData = exampleQuery.mapToPair(Tuple2::swap).join(queryData)
        .mapToPair(t -> new Tuple2<>(t._2()._1(), t._2()._2()));
    cache(exampleData.rdd().toJavaRDD(), cached);
    JavaPairRDD<String, Tuple2<Integer, float[]>> vectorsByText = poolTexts.union(extraTexts)
        .join(textVectors.javaRDD().mapToPair(r -> new Tuple2<>(r.getInt(0), vector(r, 1))))
        .mapToPair(t -> new Tuple2<>(t._2()._1(), new Tuple2<>(t._1(), t._2()._2())));
    cache(vectorsByText.rdd().toJavaRDD(), cached);

    // 4. The rule, per example.
    JavaPairRDD<Long, Float> best = config.filter()
        ? scores(indexed.flatMapToPair(t -> {
              List<Tuple2<Long, Tuple2<Integer, String>>> out = new ArrayList<>();
              List<String> positives = parse(t._2()).positives();
              for (int j = 0; j < positives.size(); j++) {
                out.add(new Tuple2<>(t._1(), new Tuple2<>(j, positives.get(j))));
              }
              return out.iterator();
            }), exampleData, vectorsByText, poolSize).mapToPair(t -> new Tuple2<>(t._1(), t._2()._2()))
            .reduceByKey(Math::max)
        : indexed.mapToPair(t -> new Tuple2<>(t._1(), Float.NaN));
    MiningRule rule = MiningRule.of(config);
    Broadcast<MiningRule.Pool> pool = jsc.broadcast(MiningRule.Pool.ofKeys(poolKeys(poolTexts, poolSize)));
    long seed = config.seed();
    JavaPairRDD<Long, Decided> decided = indexed.join(best).join(exampleData).mapToPair(t -> {
      long index = t._1();
      TrainingExample e = parse(t._2()._1()._1());
      MiningRule.Decision d = rule.decide(MiningRule.Example.of(e.query(), e.positives(), t._2()._1()._2(), e.negatives()),
          t._2()._2().hits(), pool.value(), MiningRule.exampleSeed(seed, index));
      return new Tuple2<>(index, new Decided(t._2()._1()._1(), d));
    });
    cache(decided.rdd().toJavaRDD(), cached);
    int wanted = config.negatives();
    long[] counts = decided.values().map(d -> d.decision.kept()
            ? new long[] {1, 0, d.decision.existing().length(), d.decision.mined().length(), d.decision.padded().length(),
                d.decision.negativeCount() < wanted ? 1 : 0}
            : new long[] {0, 1, 0, 0, 0, 0})
        .fold(new long[6], RankingConsistencyMiner::sum);
    if (counts[1] > 0) {
      ranking.dropped(MiningRule.INCONSISTENT_RANKING, counts[1]);
    }
    if (config.mine() && counts[0] > 0) {
      ranking.add("negatives_existing", counts[2]);
      ranking.add("negatives_mined", counts[3]);
      ranking.add("negatives_padded", counts[4]);
      if (counts[5] > 0) {
        ranking.add("examples_short_of_negatives", counts[5]);
      }
    }
    ranking.kept(counts[0]);
    chain.kept(counts[0]);

    // 5. The kept examples with their negatives' texts (and, when asked, the teacher's scores).
    JavaPairRDD<Long, Decided> kept = decided.filter(t -> t._2().decision.kept());
    JavaPairRDD<Long, List<Tuple2<Integer, String>>> chosenTexts = kept.flatMapToPair(t -> {
      List<Tuple2<Integer, Tuple2<Long, Integer>>> out = new ArrayList<>();
      int slot = 0;
      for (int id : t._2().decision.mined().toArray()) {
        out.add(new Tuple2<>(id, new Tuple2<>(t._1(), slot++)));
      }
      for (int id : t._2().decision.padded().toArray()) {
        out.add(new Tuple2<>(id, new Tuple2<>(t._1(), slot++)));
      }
      return out.iterator();
    }).join(poolTexts).mapToPair(t -> new Tuple2<>(t._2()._1()._1(), new Tuple2<>(t._2()._1()._2(), t._2()._2())))
        .groupByKey().mapValues(it -> {
          List<Tuple2<Integer, String>> list = new ArrayList<>();
          it.forEach(list::add);
          return list;
        });
    boolean mine = config.mine();
    JavaPairRDD<Long, String> out = kept.leftOuterJoin(chosenTexts).mapToPair(t -> {
      TrainingExample original = parse(t._2()._1().json);
      TrainingExample e = original;
      if (mine) {
        MiningRule.Decision d = t._2()._1().decision;
        String[] chosen = new String[d.mined().length() + d.padded().length()];
        if (t._2()._2().isPresent()) {
          t._2()._2().get().forEach(s -> chosen[s._1()] = s._2());
        }
        List<String> negatives = new ArrayList<>(d.negativeCount());
        d.existing().forEach(i -> negatives.add(original.negatives().get(i)));
        negatives.addAll(Arrays.asList(chosen));
        if (!negatives.equals(original.negatives())) {
          e = original.withNegatives(negatives);
        }
      }
      return new Tuple2<>(t._1(), ExampleJson.toLine(e));
    });
    if (config.recordScores()) {
      out = withScores(out, exampleData, vectorsByText, poolSize);
    }
    // Back to the input order (indices restart at 0 in every pool).
    JavaRDD<Row> rows = out.join(numbered.mapValues(Tuple2::_1))
        .mapToPair(t -> new Tuple2<>(t._2()._2(), t._2()._1())).sortByKey()
        .map(t -> RowFactory.create(t._1(), t._2()));
    Dataset<Row> result = spark.createDataFrame(rows, OUTPUT).persist(StorageLevel.MEMORY_AND_DISK());
    result.count();
    cached.forEach(JavaRDD::unpersist);
    textVectors.unpersist();
    queryVectors.unpersist();
    hits.unpersist();
    return result;
  }

  private String rankingName() {
    return config.filter() ? (config.mine() ? "ranking-consistency+mining" : "ranking-consistency") : "hard-negative-mining";
  }

  private static KalmEmbedder copy(KalmEmbedder teacher) {
    return teacher.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("text").setOutputCol("embedding");
  }

  private static void cache(JavaRDD<?> rdd, List<JavaRDD<?>> cached) {
    rdd.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(rdd);
  }

  private static long[] sum(long[] a, long[] b) {
    long[] s = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      s[i] = a[i] + b[i];
    }
    return s;
  }

  static TrainingExample parse(String json) {
    return ExampleJson.parse(JsonLine.parse(json, "example", 1), "default");
  }

  /** (prompt prefix, query): the single-machine filter embeds each distinct pair once. */
  private static Tuple2<String, String> promptAndQuery(TrainingExample e, QueryPrompts prompts) {
    String prompt = prompts.exampleInstructions() && e.instruction() != null && !e.instruction().isBlank()
        ? Prompt.instruction(e.instruction()).prefix()
        : prompts.queryPrompt();
    return new Tuple2<>(prompt, e.query());
  }

  /** The prompt settings of {@link MiningConfig}, serialisable. */
  private record QueryPrompts(boolean exampleInstructions, String queryPrompt) implements Serializable {}

  /** Every positive then negative of every example, numbered by first occurrence (index, position). */
  private static JavaPairRDD<Integer, String> defaultPool(JavaPairRDD<Long, String> indexed) {
    return indexed.flatMapToPair(t -> {
      TrainingExample e = parse(t._2());
      List<Tuple2<String, long[]>> out = new ArrayList<>();
      int slot = 0;
      for (String text : e.positives()) {
        out.add(new Tuple2<>(text, new long[] {t._1(), slot++}));
      }
      for (String text : e.negatives()) {
        out.add(new Tuple2<>(text, new long[] {t._1(), slot++}));
      }
      return out.iterator();
    }).reduceByKey((a, b) -> compare(a, b) <= 0 ? a : b)
        .mapToPair(t -> new Tuple2<>(new Position(t._2()[0], t._2()[1]), t._1()))
        .sortByKey().values().zipWithIndex().mapToPair(t -> new Tuple2<>(t._2().intValue(), t._1()));
  }

  private static JavaPairRDD<Integer, String> corpusPool(Dataset<Row> corpus) {
    return corpus.select(ORDER, "text").javaRDD().mapToPair(r -> new Tuple2<>(r.getString(1), r.getLong(0)))
        .reduceByKey(Math::min).mapToPair(Tuple2::swap).sortByKey().values().zipWithIndex()
        .mapToPair(t -> new Tuple2<>(t._2().intValue(), t._1()));
  }

  private static int compare(long[] a, long[] b) {
    return a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]);
  }

  private static long[] poolKeys(JavaPairRDD<Integer, String> poolTexts, int poolSize) {
    long[] keys = new long[poolSize];
    for (Tuple2<Integer, Long> t : poolTexts.mapValues(MiningRule::textKey).collect()) {
      keys[t._1()] = t._2();
    }
    return keys;
  }

  /**
   * Teacher scores of (example, slot, text) triples, as the single-machine filter scores them: the
   * search's score when the text is in the example's query's list, else the deterministic kernel's
   * score of a pool text, else a double-accumulated dot product.
   */
  private static JavaPairRDD<Long, Tuple2<Integer, Float>> scores(JavaPairRDD<Long, Tuple2<Integer, String>> wanted,
      JavaPairRDD<Long, QueryData> exampleData, JavaPairRDD<String, Tuple2<Integer, float[]>> vectorsByText, int poolSize) {
    return wanted.mapToPair(t -> new Tuple2<>(t._2()._2(), new Tuple2<>(t._1(), t._2()._1())))
        .join(vectorsByText)
        .mapToPair(t -> new Tuple2<>(t._2()._1()._1(), new Tuple2<>(t._2()._1()._2(), t._2()._2())))
        .join(exampleData)
        .mapToPair(t -> {
          int slot = t._2()._1()._1();
          int id = t._2()._1()._2()._1();
          float[] v = t._2()._1()._2()._2();
          QueryData q = t._2()._2();
          return new Tuple2<>(t._1(), new Tuple2<>(slot, q.score(id, v, poolSize)));
        });
  }

  private static JavaPairRDD<Long, String> withScores(JavaPairRDD<Long, String> out, JavaPairRDD<Long, QueryData> exampleData,
      JavaPairRDD<String, Tuple2<Integer, float[]>> vectorsByText, int poolSize) {
    JavaPairRDD<Long, Tuple2<Integer, String>> wanted = out.flatMapToPair(t -> {
      TrainingExample e = parse(t._2());
      List<Tuple2<Long, Tuple2<Integer, String>>> list = new ArrayList<>();
      int slot = 0;
      for (String text : e.positives()) {
        list.add(new Tuple2<>(t._1(), new Tuple2<>(slot++, text)));
      }
      for (String text : e.negatives()) {
        list.add(new Tuple2<>(t._1(), new Tuple2<>(slot++, text)));
      }
      return list.iterator();
    });
    return out.join(scores(wanted, exampleData, vectorsByText, poolSize).groupByKey()).mapToPair(t -> {
      TrainingExample e = parse(t._2()._1());
      float[] s = new float[e.positives().size() + e.negatives().size()];
      t._2()._2().forEach(x -> s[x._1()] = x._2());
      List<Double> pos = new ArrayList<>();
      List<Double> neg = new ArrayList<>();
      for (int i = 0; i < s.length; i++) {
        // Through Float.toString, as the single-machine filter writes them (the float's shortest form).
        (i < e.positives().size() ? pos : neg).add(Double.parseDouble(Float.toString(s[i])));
      }
      return new Tuple2<>(t._1(), ExampleJson.toLine(e.withScores(pos, neg)));
    });
  }

  private static float[] vector(Row r, int column) {
    List<Float> list = r.getList(column);
    float[] v = new float[list.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = list.get(i);
    }
    return v;
  }

  private static ExactTopK.Hits hitsOf(Row r) {
    List<Integer> ids = r.getList(1);
    return new ExactTopK.Hits(ids.stream().mapToInt(Integer::intValue).toArray(), vector(r, 2));
  }

  /** A position in the input: example index, then the text's slot in it. */
  private record Position(long example, long slot) implements Comparable<Position>, Serializable {
    @Override
    public int compareTo(Position o) {
      return example != o.example ? Long.compare(example, o.example) : Long.compare(slot, o.slot);
    }
  }

  /** One example after document deduplication, with its example-deduplication key. */
  private static final class Deduped implements Serializable {
    private static final long serialVersionUID = 1L;
    final String json;
    final String dedupKey;
    final long positivesRemoved;
    final long negativesRemoved;
    final boolean changed;

    private Deduped(String json, String dedupKey, long positivesRemoved, long negativesRemoved, boolean changed) {
      this.json = json;
      this.dedupKey = dedupKey;
      this.positivesRemoved = positivesRemoved;
      this.negativesRemoved = negativesRemoved;
      this.changed = changed;
    }

    /** Not deduplicated (only counted). */
    static Deduped raw(String json) {
      return new Deduped(json, "", 0, 0, false);
    }

    static Deduped of(long order, String json) {
      TrainingExample e;
      try {
        e = parse(json);
      } catch (RuntimeException ex) {
        throw new IllegalArgumentException("example " + order + ": " + ex.getMessage(), ex);
      }
      FilterTally tally = new FilterTally("dedup-documents");
      TrainingExample out;
      try (Stream<TrainingExample> s = DataFilters.dedupDocuments().apply(Stream.of(e), tally)) {
        out = s.findFirst().orElseThrow();
      }
      Map<String, Double> m = tally.report().metrics();
      String key = Texts.normalize(out.query()) + '\u0000' + Texts.normalize(out.firstPositive());
      return new Deduped(out == e ? json : ExampleJson.toLine(out), key,
          m.getOrDefault("positives_removed", 0.0).longValue(), m.getOrDefault("negatives_removed", 0.0).longValue(),
          m.containsKey("positives_removed"));
    }
  }

  /** A query's vector and ranked list. */
  private record QueryData(float[] vector, ExactTopK.Hits list) implements Serializable {
    TopHits hits() {
      return list.topHits();
    }

    float score(int id, float[] v, int poolSize) {
      TopHits hits = hits();
      if (id < poolSize) {
        for (int r = 0; r < hits.size(); r++) {
          if (hits.id(r) == id) {
            return hits.score(r);
          }
        }
        return VectorIndexes.exact(new float[][] {v}, SearchConfig.deterministic()).score(vector, 0);
      }
      double sum = 0;
      for (int j = 0; j < v.length; j++) {
        sum += (double) vector[j] * v[j];
      }
      return (float) sum;
    }
  }

  /** An example's JSON with the rule's decision. */
  private record Decided(String json, MiningRule.Decision decision) implements Serializable {}
}
