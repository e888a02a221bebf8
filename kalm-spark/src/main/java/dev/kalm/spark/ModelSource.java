package dev.kalm.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Where executors find a model folder. Three ways, written as the {@code modelPath} text of
 * {@link KalmEmbedder}:
 * <ul>
 *   <li>a plain path ({@code /models/kalm}): a folder present at that path on every node (shared or
 *       copied disk); used as it is;
 *   <li>{@code spark-files:NAME}: a folder shipped with {@code SparkContext.addFile(dir, true)} (see
 *       {@link #ship}); read from {@link SparkFiles#get} on each executor;
 *   <li>any Hadoop file system URI ({@code hdfs://nn/models/kalm}, {@code s3a://bucket/kalm},
 *       {@code file:///mnt/models/kalm}): copied once per executor JVM into its Spark work folder, then
 *       used from local disk. Hadoop settings come from {@code spark.hadoop.*} and the executor's
 *       Hadoop configuration files.
 * </ul>
 * Thread-safe: concurrent tasks of one executor wait for one copy.
 */
public final class ModelSource {
  /** Prefix of a folder shipped with {@code addFile}. */
  public static final String SPARK_FILES = "spark-files:";

  private static final Logger LOG = LoggerFactory.getLogger(ModelSource.class);
  /** Hadoop URI -> local copy in this JVM. */
  private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();

  private ModelSource() {}

  /**
   * Ships a local model folder to every executor with {@code addFile(dir, true)} and returns the
   * {@code modelPath} text that finds it there ({@code spark-files:} + the folder's name). Call once per
   * application and folder name.
   *
   * @throws IllegalArgumentException when {@code folder} is not a directory
   */
  public static String ship(SparkSession spark, Path folder) {
    checkNotNull(spark, "spark");
    checkArgument(Files.isDirectory(folder), "model folder %s is not a directory", folder);
    Path absolute = folder.toAbsolutePath().normalize();
    spark.sparkContext().addFile(absolute.toUri().toString(), true);
    return SPARK_FILES + absolute.getFileName();
  }

  /**
   * The local folder of {@code source} on this JVM (driver or executor), copying it from a Hadoop file
   * system on first use.
   *
   * @throws IllegalArgumentException when the source is malformed or the folder is missing, naming it
   * @throws UncheckedIOException when a copy fails
   */
  public static Path localFolder(String source) {
    checkArgument(source != null && !source.isBlank(), "model source must not be empty, got '%s'", source);
    if (source.startsWith(SPARK_FILES)) {
      String name = source.substring(SPARK_FILES.length());
      checkArgument(!name.isEmpty() && !name.contains("/"), "%s needs a folder name without '/', got '%s'", SPARK_FILES, source);
      Path folder = Paths.get(SparkFiles.get(name));
      checkArgument(Files.isDirectory(folder), "model '%s' was not shipped with addFile(dir, true): %s is not a folder"
          + " (ship it with ModelSource.ship or spark-submit --files DIR)", source, folder);
      return folder;
    }
    URI uri = uriOrNull(source);
    if (uri == null || uri.getScheme() == null || uri.getScheme().length() == 1) { // plain (or Windows drive) path
      Path folder = Paths.get(source);
      checkArgument(Files.isDirectory(folder), "model folder %s does not exist on this node (host %s)", folder, host());
      return folder;
    }
    return COPIES.computeIfAbsent(source, s -> copyToLocal(uri));
  }

  private static URI uriOrNull(String source) {
    try {
      return new URI(source);
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static Path copyToLocal(URI uri) {
    long start = System.nanoTime();
    try {
      Path root = Paths.get(SparkEnv.get() != null ? SparkFiles.getRootDirectory() : System.getProperty("java.io.tmpdir"));
      String key = Hashing.sha256().hashString(uri.toString(), StandardCharsets.UTF_8).toString().substring(0, 16);
      Path parent = Files.createDirectories(root.resolve("kalm-models").resolve(key));
      String name = Paths.get(uri.getPath()).getFileName().toString();
      Path target = parent.resolve(name);
      if (!Files.isDirectory(target)) {
        Path partial = Files.createTempDirectory(parent, name + ".partial");
        FileSystem fs = FileSystem.get(uri, hadoopConfiguration());
        org.apache.hadoop.fs.Path from = new org.apache.hadoop.fs.Path(uri);
        checkArgument(fs.getFileStatus(from).isDirectory(), "model %s is not a folder", uri);
        fs.copyToLocalFile(false, from, new org.apache.hadoop.fs.Path(partial.toUri()), true);
        Path copied = partial.resolve(name);
        Files.move(Files.isDirectory(copied) ? copied : partial, target, StandardCopyOption.ATOMIC_MOVE);
      }
      LOG.info("kalm-spark: model {} copied to {} on {} in {} s", uri, target, host(),
          String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy model " + uri + " to local disk on " + host() + ": " + e.getMessage(), e);
    }
  }

  /** The Hadoop configuration of this JVM: its Hadoop files plus Spark's {@code spark.hadoop.*} settings. */
  private static Configuration hadoopConfiguration() {
    Configuration conf = new Configuration();
    if (SparkEnv.get() != null) {
      for (Tuple2<String, String> entry : SparkEnv.get().conf().getAllWithPrefix("spark.hadoop.")) {
        conf.set(entry._1(), entry._2());
      }
    }
    return conf;
  }

  static String host() {
    return SparkEnv.get() != null ? "executor " + SparkEnv.get().executorId() : "driver";
  }
}
