package dev.kalm.spark.jobs;

import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.spark.KalmEmbedder;
import dev.kalm.spark.ModelSource;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * Options every job shares: the model (as {@code kalm embed} / {@code kalm mine} take it, plus Spark's ways
 * to reach executors) and the Spark session.
 */
final class JobOptions {
  @Option(names = "--model", required = true, paramLabel = "DIR|URI",
      description = "Model folder: a path present on every node, spark-files:NAME (shipped with addFile), "
          + "or a Hadoop URI (hdfs://, s3a://, file://) copied once per executor.")
  String model;

  @Option(names = "--ship", description = "Ship the local --model folder to the executors with addFile(dir, true).")
  boolean ship;

  @Option(names = "--max-length", defaultValue = "0", paramLabel = "N",
      description = "Tokens kept per text; 0: the model folder's max_seq_length, else 512 (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--batch-tokens", defaultValue = "" + EmbedderConfig.DEFAULT_BATCH_TOKENS, paramLabel = "N",
      description = "Token budget of one batch, padded length x texts (default: ${DEFAULT-VALUE}).")
  int batchTokens;

  @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu",
      description = "Where each executor runs the model (default: ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master, e.g. local[*] (default: what spark-submit or spark.master says).")
  String master;

  @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
      description = "Partitions the texts are embedded in (default: spark.default.parallelism).")
  int partitions;

  /** The session: the running one under spark-submit, else a new one with {@code --master}. */
  SparkSession session(String appName) {
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    if (master != null) {
      builder.master(master);
    }
    return builder.getOrCreate();
  }

  /** A {@link KalmEmbedder} with these options, shipping the model first when asked. */
  KalmEmbedder embedder(SparkSession spark) {
    String source = model;
    if (ship) {
      if (!Files.isDirectory(Paths.get(model))) {
        throw new IllegalArgumentException("--ship needs a local model folder, got " + model);
      }
      source = ModelSource.ship(spark, Paths.get(model));
    }
    return new KalmEmbedder().setModelPath(source).setMaxLength(maxLength).setBatchTokens(batchTokens).setDevice(device);
  }

  /** {@code --partitions}, or the session's default parallelism. */
  int partitions(SparkSession spark) {
    return partitions > 0 ? partitions : Math.max(1, spark.sparkContext().defaultParallelism());
  }
}
