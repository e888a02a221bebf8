package dev.kalm.spark.jobs;


import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.report.Report;
import dev.kalm.data.beir.BeirDataset;
import dev.kalm.data.filter.FilterReport;
import dev.kalm.data.filter.MiningConfig;
import dev.kalm.data.filter.MiningSpec;
import dev.kalm.spark.ExactTopK;
import dev.kalm.spark.JsonLinesInput;
import dev.kalm.spark.KalmEmbedder;
import dev.kalm.spark.RankingConsistencyMiner;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code kalm mine} as a Spark job: ranking-consistency filtering and hard-negative mining with
 * {@link RankingConsistencyMiner}, the same options, the same kept examples, negatives and report. Input:
 * training JSON Lines (a file or a folder, any Hadoop file system); output: a folder of JSON Lines part
 * files in input order (or Parquet with the same fields, {@code --format parquet}). Run with
 * {@code spark-submit --class dev.kalm.spark.jobs.MineJob} or {@code ./kalm spark mine}.
 */
@Command(name = "mine", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = SparkCli.Version.class,
    description = {"Filter by ranking consistency and mine hard negatives on Spark, as kalm mine does.",
        "Same options and results as kalm mine (see kalm mine --help for the method); the output is a folder."})
public final class MineJob implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin JobOptions options;

  @Option(names = "--data", required = true, paramLabel = "PATH|URI",
      description = "Training examples: a JSON Lines file or a folder of them ({\"query\", \"pos\", \"neg\"}).")
  String data;

  @Option(names = "--output", required = true, paramLabel = "PATH|URI", description = "Output folder (must not exist).")
  String output;

  @Option(names = "--format", defaultValue = "jsonl", paramLabel = "jsonl|parquet",
      description = "Output format (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--corpus", paramLabel = "PATH|URI",
      description = "Candidate pool as JSON Lines with \"text\" (and optional \"title\"). Default: the input's documents.")
  String corpus;

  @Option(names = "--filter-topk", defaultValue = "50", paramLabel = "K",
      description = "0-based rank whose score the best positive must reach (default: ${DEFAULT-VALUE}).")
  int filterTopK;

  @Option(names = "--range", defaultValue = "50-100", paramLabel = "MIN-MAX",
      description = "0-based ranks [MIN, MAX) negatives are sampled from (default: ${DEFAULT-VALUE}).")
  String range;

  @Option(names = "--negatives", defaultValue = "7", paramLabel = "N",
      description = "Hard negatives per example (default: ${DEFAULT-VALUE}).")
  int negatives;

  @Option(names = "--pool", defaultValue = "per-file", paramLabel = "per-file|shared",
      description = "With a folder: mine each file against its own texts, or all files against one pool"
          + " (default: ${DEFAULT-VALUE}).")
  String pool;

  @Option(names = "--existing-negatives", defaultValue = "keep-first", paramLabel = "keep-first|replace",
      description = "An example's own negatives: kept first, or replaced by mined ones (default: ${DEFAULT-VALUE}).")
  String existingNegatives;

  @Option(names = "--search-kernel", defaultValue = "java", paramLabel = "java|matmul",
      description = "Exact search kernel: the deterministic plain-Java kernel, whose results equal one machine's"
          + " bit for bit however the search is split, or matrix products (faster; scores may differ in the last"
          + " bits between block shapes) (default: ${DEFAULT-VALUE}).")
  String searchKernel;

  @Option(names = "--no-filter", description = "Keep every example (mine only).")
  boolean noFilter;

  @Option(names = "--no-mining", description = "Leave negatives as they are (filter only).")
  boolean noMining;

  @Option(names = "--no-dedup", description = "Skip exact deduplication of examples and documents before mining.")
  boolean noDedup;

  @Option(names = "--query-instruction", paramLabel = "TEXT",
      description = "Instruction for queries without their own, as 'Instruct: TEXT \\n Query: ...' (default: none).")
  String queryInstruction;

  @Option(names = "--record-scores", description = "Write the teacher's scores into pos_scores / neg_scores.")
  boolean recordScores;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--report", paramLabel = "FILE.json", description = "Also write the report as JSON (any Hadoop file system).")
  String report;

  private static final StructType CORPUS = new StructType()
      .add(RankingConsistencyMiner.ORDER, DataTypes.LongType, false).add("text", DataTypes.StringType, false);

  /** spark-submit entry point; exits with the job's status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Parses and runs; returns the exit status (errors are printed to standard error). */
  public static int run(String... args) {
    return new CommandLine(new MineJob()).execute(args);
  }

  @Override
  public Integer call() {
    MiningSpec mining = miningSpec();
    MiningConfig config = miningConfig();
    String outputFormat = choice("--format", format, "jsonl", "parquet");
    long start = System.nanoTime();
    SparkSession spark = options.session("kalm mine");
    KalmEmbedder teacher = options.embedder(spark);
    Dataset<Row> examples = RankingConsistencyMiner.readExamples(spark, data, mining.poolScope())
        .repartition(options.partitions(spark));
    Dataset<Row> pool = corpus == null ? null : readCorpus(spark);
    RankingConsistencyMiner.Result result = RankingConsistencyMiner.create(teacher, config).withDedup(!noDedup)
        .withSearch(ExactTopK.builder().deterministic(mining.deterministicSearch())).mine(examples, pool);
    Dataset<Row> kept = result.kept().orderBy(RankingConsistencyMiner.ORDER);
    Dataset<String> lines = kept.select(RankingConsistencyMiner.EXAMPLE).as(Encoders.STRING());
    if (outputFormat.equals("PARQUET")) {
      spark.read().json(lines).write().parquet(output);
    } else {
      lines.write().text(output);
    }
    long written = result.report().kept();
    double seconds = (System.nanoTime() - start) / 1e9;
    FilterReport filters = result.report();
    System.err.print(filters.summary());
    System.err.print(MiningSpec.timingLine(filters, seconds));
    if (report != null) {
      Report input = Report.builder().add("path", data).add("examples", filters.in()).build();
      Report settings = Report.builder().addAll(mining.configReport(options.model, corpus, config))
          .add("spark_master", spark.sparkContext().master()).build();
      writeReport(spark, MiningSpec.report(input, filters, output, written, seconds, settings).toJson());
    }
    System.out.println("kept " + written + " of " + filters.in() + " examples -> " + output);
    return 0;
  }

  /** Validates the options into a mining config (before Spark starts). */
  MiningConfig miningConfig() {
    try {
      return miningSpec().configBuilder().build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** The mining options as plain values. */
  private MiningSpec miningSpec() {
    return new MiningSpec(filterTopK, range, negatives, existingNegatives, pool, searchKernel, queryInstruction, seed,
        !noFilter, !noMining, !noDedup, recordScores);
  }

  /** {@link MiningSpec#choice}, a usage error for a bad value. */
  private String choice(String option, String value, String... allowed) {
    try {
      return MiningSpec.choice(option, value, allowed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** Document texts of a corpus file, {@code title + " " + text} per line (BEIR layout), in file order. */
  private Dataset<Row> readCorpus(SparkSession spark) {
    JavaRDD<Row> rows = JsonLinesInput.lines(spark, JsonLinesInput.files(spark, corpus)).map(line -> {
      String source = line.getString(1);
      long number = line.getLong(2);
      JsonLine json = JsonLine.parse(line.getString(3), source, number);
      return RowFactory.create(((long) line.getInt(0) << 40) | number,
          BeirDataset.documentText(json.optString("title", ""), json.string("text")));
    });
    return spark.createDataFrame(rows, CORPUS);
  }

  private void writeReport(SparkSession spark, String json) {
    Path path = new Path(report);
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(path, true)) {
        out.write(json.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + report + ": " + e.getMessage(), e);
    }
  }
}
