package dev.kalm.spark;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.AbstractIterator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * JSON Lines input on Spark, read the way kalm's single-machine readers read it: a file, or every
 * {@code *.jsonl}, {@code *.jsonl.gz} and {@code *.json} directly in a folder in name order, on any Hadoop
 * file system; each file is read by one task (gzip included), line numbers count from 1 with blank lines
 * skipped but counted, so errors name {@code file:line} exactly as {@code kalm mine} / {@code kalm embed} do.
 */
public final class JsonLinesInput {
  /** Schema of {@link #lines}: file ordinal (name order), its path, 1-based line number, the line. */
  public static final StructType LINES = new StructType()
      .add("file", DataTypes.IntegerType, false)
      .add("path", DataTypes.StringType, false)
      .add("line", DataTypes.LongType, false)
      .add("text", DataTypes.StringType, false);

  private JsonLinesInput() {}

  /**
   * The JSON Lines files of {@code path} on its Hadoop file system: the file itself, or a folder's
   * {@code *.jsonl}, {@code *.jsonl.gz} and {@code *.json} files in name order.
   *
   * @throws IllegalArgumentException for a folder without such files
   * @throws UncheckedIOException when the path cannot be read, naming it
   */
  public static List<String> files(SparkSession spark, String path) {
    try {
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(conf);
      FileStatus status = fs.getFileStatus(p);
      if (!status.isDirectory()) {
        return List.of(status.getPath().toString());
      }
      FileStatus[] children = fs.listStatus(p);
      Arrays.sort(children, Comparator.comparing(s -> s.getPath().getName()));
      List<String> files = new ArrayList<>();
      for (FileStatus child : children) {
        String name = child.getPath().getName();
        if (child.isFile() && (name.endsWith(".jsonl") || name.endsWith(".jsonl.gz") || name.endsWith(".json"))) {
          files.add(child.getPath().toString());
        }
      }
      checkArgument(!files.isEmpty(), "folder %s holds no *.jsonl, *.jsonl.gz or *.json file", path);
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Every non-blank line of {@code files} as rows of {@link #LINES} ({@code file} ordinal, {@code path},
   * 1-based {@code line}, {@code text}), one partition per file, lazily (gzip decompressed by extension).
   */
  public static JavaRDD<Row> lines(SparkSession spark, List<String> files) {
    List<Tuple2<Integer, String>> numbered = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      numbered.add(new Tuple2<>(i, files.get(i)));
    }
    Map<String, String> hadoop = hadoopSettings(spark);
    return JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(numbered, Math.max(1, files.size()))
        .mapPartitions(part -> new LineIterator(part, hadoop));
  }

  /** Lines of the partition's files, read lazily (one line in memory at a time). */
  private static final class LineIterator extends AbstractIterator<Row> {
    private final Iterator<Tuple2<Integer, String>> files;
    private final Configuration conf = new Configuration();
    private Tuple2<Integer, String> file;
    private BufferedReader reader;
    private long number;

    LineIterator(Iterator<Tuple2<Integer, String>> files, Map<String, String> settings) {
      this.files = files;
      settings.forEach(conf::set);
    }

    @Override
    protected Row computeNext() {
      try {
        while (true) {
          if (reader == null) {
            if (!files.hasNext()) {
              return endOfData();
            }
            file = files.next();
            reader = open(file._2());
            number = 0;
          }
          String line = reader.readLine();
          if (line == null) {
            reader.close();
            reader = null;
            continue;
          }
          number++;
          if (!line.isBlank()) {
            return RowFactory.create(file._1(), file._2(), number, line);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file._2() + " at line " + (number + 1) + ": " + e.getMessage(), e);
      }
    }

    private BufferedReader open(String name) throws IOException {
      Path path = new Path(name);
      FileSystem fs = path.getFileSystem(conf);
      CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
      InputStream raw = fs.open(path);
      return new BufferedReader(new InputStreamReader(codec == null ? raw : codec.createInputStream(raw),
          StandardCharsets.UTF_8), 1 << 16);
    }
  }

  /** The driver's Hadoop settings, to open the same file systems on executors. */
  private static Map<String, String> hadoopSettings(SparkSession spark) {
    Map<String, String> settings = new java.util.HashMap<>();
    spark.sparkContext().hadoopConfiguration().forEach(e -> settings.put(e.getKey(), e.getValue()));
    return settings;
  }

  /** The task kalm's readers give a file's examples: its name without {@code .gz} and extension. */
  public static String taskOf(String file) {
    String name = new Path(file).getName();
    if (name.endsWith(".gz")) {
      name = name.substring(0, name.length() - 3);
    }
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
