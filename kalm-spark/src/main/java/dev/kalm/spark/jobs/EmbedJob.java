package dev.kalm.spark.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.kalm.core.jsonl.EmbeddingLines;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.model.Prompt;
import dev.kalm.spark.JsonLinesInput;
import dev.kalm.spark.KalmEmbedder;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code kalm embed} as a Spark job: texts to embeddings on every executor. JSON Lines in
 * ({@code {"text": ...}} per line; a file or a folder of them, any Hadoop file system) gives JSON Lines out
 * ({@code {"embedding": [...], <other fields>}} per line, in input order, as {@code kalm embed} writes
 * them, in a folder of part files); Parquet in gives Parquet out (every column kept, {@code embedding}
 * added). Run with {@code spark-submit --class dev.kalm.spark.jobs.EmbedJob} or {@code ./kalm spark embed}.
 */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false, versionProvider = SparkCli.Version.class,
    description = {"Embed texts on Spark with the options of kalm embed.",
        "JSON Lines ({\"text\": ...}) in -> JSON Lines ({\"embedding\": [...], other fields}) out, input order;",
        "Parquet in -> Parquet out with an embedding column (array<float>) added."})
public final class EmbedJob implements Callable<Integer> {
  @Mixin JobOptions options;

  @Option(names = "--input", required = true, paramLabel = "PATH|URI", description = "JSON Lines file or folder, or Parquet.")
  String input;

  @Option(names = "--output", required = true, paramLabel = "PATH|URI", description = "Output folder (must not exist).")
  String output;

  @Option(names = "--format", defaultValue = "auto", paramLabel = "auto|jsonl|parquet",
      description = "Input (and output) format (default: parquet when the path ends in .parquet, else jsonl).")
  String format;

  @Option(names = "--text-col", defaultValue = "text", paramLabel = "NAME", description = "Text column of Parquet input.")
  String textCol;

  @Option(names = "--pooling", paramLabel = "mean|last|first", description = "Pooling (default: the model folder's, else mean).")
  String pooling;

  @Option(names = "--dim", defaultValue = "0", paramLabel = "N",
      description = "Matryoshka dimension: truncate, then normalise (default: full).")
  int dim;

  @Option(names = "--no-normalize", description = "Do not L2-normalise.")
  boolean noNormalize;

  @ArgGroup(exclusive = true)
  PromptChoice promptChoice;

  static final class PromptChoice {
    @Option(names = "--prompt", paramLabel = "TEXT", description = "Raw text put before every input.")
    String prompt;

    @Option(names = "--instruction", paramLabel = "TEXT",
        description = "Query instruction in KaLM's template: 'Instruct: {instruction} \\n Query: {text}'.")
    String instruction;
  }

  /** spark-submit entry point; exits with the job's status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Parses and runs; returns the exit status (errors are printed to standard error). */
  public static int run(String... args) {
    return new CommandLine(new EmbedJob()).execute(args);
  }

  @Override
  public Integer call() {
    SparkSession spark = options.session("kalm embed");
    KalmEmbedder embedder = options.embedder(spark).setDimension(dim).setNormalize(!noNormalize);
    if (pooling != null) {
      embedder.setPooling(pooling);
    }
    String prompt = null;
    if (promptChoice != null) {
      prompt = promptChoice.prompt != null ? promptChoice.prompt : Prompt.instruction(promptChoice.instruction).prefix();
    }
    boolean parquet = format.equals("parquet") || (format.equals("auto") && input.replaceAll("/+$", "").endsWith(".parquet"));
    if (!parquet && !format.equals("jsonl") && !format.equals("auto")) {
      throw new IllegalArgumentException("--format must be auto, jsonl or parquet, got '" + format + "'");
    }
    long rows = parquet ? embedParquet(spark, embedder, prompt) : embedJsonLines(spark, embedder, prompt);
    System.err.println("kalm spark embed: " + rows + " texts -> " + output);
    return 0;
  }

  private long embedParquet(SparkSession spark, KalmEmbedder embedder, String prompt) {
    Dataset<Row> data = spark.read().parquet(input).repartition(options.partitions(spark));
    Dataset<Row> out = withPrompt(data, embedder.setInputCol(textCol), prompt);
    out.write().parquet(output);
    return spark.read().parquet(output).count();
  }

  private long embedJsonLines(SparkSession spark, KalmEmbedder embedder, String prompt) {
    JavaRDD<Row> lines = JsonLinesInput.lines(spark, JsonLinesInput.files(spark, input)).map(EmbedJob::parse);
    Dataset<Row> texts = spark.createDataFrame(lines, PARSED)
        .repartitionByRange(options.partitions(spark), col("file"), col("line"))
        .sortWithinPartitions("file", "line");
    Dataset<Row> embedded = withPrompt(texts, embedder.setInputCol("text").setOutputCol("embedding"), prompt);
    Dataset<String> json = embedded.map((MapFunction<Row, String>) EmbedJob::outputLine, Encoders.STRING());
    json.write().text(output);
    return spark.read().text(output).count();
  }

  private static Dataset<Row> withPrompt(Dataset<Row> data, KalmEmbedder embedder, String prompt) {
    if (prompt == null) {
      return embedder.transform(data);
    }
    String column = "__kalm_prompt";
    return embedder.setPromptCol(column).transform(data.withColumn(column, lit(prompt))).drop(column);
  }

  private static final StructType PARSED = new StructType()
      .add("file", DataTypes.IntegerType, false)
      .add("line", DataTypes.LongType, false)
      .add("text", DataTypes.StringType, false)
      .add("fields", DataTypes.StringType, false);

  /** A line's text and its other fields (as one JSON object), failing with file:line: field for a bad line. */
  private static Row parse(Row line) {
    String source = line.getString(1);
    long number = line.getLong(2);
    JsonLine json = JsonLine.parse(line.getString(3), source, number);
    String text = json.string("text");
    return RowFactory.create(line.getInt(0), number, text, EmbeddingLines.otherFieldsJson(json));
  }

  /** The output line of {@code kalm embed}: {@code {"embedding":[...]}} then the input's other fields. */
  private static String outputLine(Row row) {
    List<Float> vector = row.getList(row.fieldIndex("embedding"));
    float[] embedding = new float[vector.size()];
    for (int j = 0; j < embedding.length; j++) {
      embedding[j] = vector.get(j);
    }
    return EmbeddingLines.line(embedding, row.getString(row.fieldIndex("fields")));
  }
}
