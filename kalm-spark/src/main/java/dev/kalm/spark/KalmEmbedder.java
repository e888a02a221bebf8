package dev.kalm.spark;

import static com.google.common.base.Preconditions.checkArgument;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Prompt;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Spark ML {@link Transformer} that adds the kalm embedding of a text column: {@code inputCol}
 * (string, default {@code text}) to {@code outputCol} ({@code array<float>}, default {@code embedding}),
 * every other column kept, row count and row order unchanged.
 *
 * <p>Each partition is streamed through the model in chunks of {@code chunkSize} rows (sorted by length
 * and cut into batches of {@code batchTokens} inside the chunk), never materialised whole. Every task of
 * an executor JVM shares one loaded model per configuration (a 0.5B float32 model is about 2 GB); it is
 * released after the executor has been idle for a minute (system property
 * {@code kalm.spark.embedderIdleSeconds}) or when the JVM exits. The executor log shows the model's load
 * time and each partition's throughput.
 *
 * <p>Texts: a {@code null} text gives a {@code null} embedding; an empty text is embedded as
 * {@link Embedder} does it (without a prompt it has no tokens and gives the all-zero vector; with a prompt,
 * the prompt's embedding); a text longer than {@code maxLength} tokens is truncated.
 * The embedding equals {@link Embedder#embed} of the same text with the same settings within 1e-6.
 *
 * <p>Params ({@code set*} / {@code get*} as in Spark ML): {@code modelPath} (required; a node-local
 * folder, {@code spark-files:NAME} or a Hadoop URI, see {@link ModelSource}), {@code dimension}
 * (Matryoshka, 0 = full), {@code maxLength} (0: the folder's {@code max_seq_length}, else 512), {@code batchTokens} (16384), {@code pooling}
 * (mean | last | first, empty = the folder's), {@code normalize} (true), {@code instruction} (KaLM query
 * instruction, empty = none) or {@code promptName} (a prompt of the folder's sentence-transformers
 * config), {@code attention} (causal | bidirectional, empty = the folder's), {@code device}
 * (auto | cpu | gpu, default auto: a GPU when the executor has one), {@code promptCol} (optional string column: the raw prompt of each
 * row, {@code ""} for none; {@code null} = the configured prompt), {@code chunkSize} (1024).
 *
 * <p>Saved and loaded with its params ({@link DefaultParamsWritable}, {@link #load}), so it can sit in a
 * saved {@code Pipeline}. Not thread-safe to configure; {@link #transform} may run concurrently.
 *
 * <pre>{@code
 * KalmEmbedder embedder = new KalmEmbedder().setModelPath("hdfs:///models/kalm-mini").setDimension(256);
 * Dataset<Row> vectors = embedder.transform(spark.read().parquet("corpus.parquet")); // + "embedding"
 * }</pre>
 */
public final class KalmEmbedder extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(KalmEmbedder.class);

  private final String uid;
  private final Param<String> inputCol;
  private final Param<String> outputCol;
  private final Param<String> modelPath;
  private final IntParam dimension;
  private final IntParam maxLength;
  private final IntParam batchTokens;
  private final Param<String> pooling;
  private final BooleanParam normalize;
  private final Param<String> instruction;
  private final Param<String> promptName;
  private final Param<String> attention;
  private final Param<String> device;
  private final Param<String> promptCol;
  private final IntParam chunkSize;

  /** An embedder with a random uid and the default params. */
  public KalmEmbedder() {
    this(Identifiable.randomUID("kalmEmbedder"));
  }

  /** An embedder with the given uid and the default params (used by Spark's reader and {@link #copy}). */
  public KalmEmbedder(String uid) {
    this.uid = uid;
    inputCol = new Param<>(this, "inputCol", "input text column");
    outputCol = new Param<>(this, "outputCol", "output embedding column, array<float>");
    modelPath = new Param<>(this, "modelPath", "model folder: node-local path, spark-files:NAME or Hadoop URI");
    dimension = new IntParam(this, "dimension", "Matryoshka dimension, 0 = the full hidden size");
    maxLength = new IntParam(this, "maxLength", "tokens kept per text; 0 = the folder's max_seq_length, else 512");
    batchTokens = new IntParam(this, "batchTokens", "token budget of one embedding batch");
    pooling = new Param<>(this, "pooling", "mean | last | first; empty = the model folder's");
    normalize = new BooleanParam(this, "normalize", "L2-normalise the vectors");
    instruction = new Param<>(this, "instruction", "KaLM query instruction; empty = none");
    promptName = new Param<>(this, "promptName", "prompt named in config_sentence_transformers.json; empty = none");
    attention = new Param<>(this, "attention", "causal | bidirectional; empty = the model folder's");
    device = new Param<>(this, "device", "auto | cpu | gpu");
    promptCol = new Param<>(this, "promptCol", "optional string column: raw prompt per row (\"\" = none, null = the configured one)");
    chunkSize = new IntParam(this, "chunkSize", "rows of a partition embedded together");
    setDefault(inputCol, "text");
    setDefault(outputCol, "embedding");
    setDefault(modelPath, "");
    setDefault(dimension, 0);
    setDefault(maxLength, 0);
    setDefault(batchTokens, EmbedderConfig.DEFAULT_BATCH_TOKENS);
    setDefault(pooling, "");
    setDefault(normalize, true);
    setDefault(instruction, "");
    setDefault(promptName, "");
    setDefault(attention, "");
    setDefault(device, "auto");
    setDefault(promptCol, "");
    setDefault(chunkSize, 1024);
  }

  /** Spark ML's reader of saved embedders. */
  public static MLReader<KalmEmbedder> read() {
    return new Readable().read();
  }

  /** Loads an embedder saved with {@code write().save(path)}. */
  public static KalmEmbedder load(String path) {
    return read().load(path);
  }

  @Override
  public String uid() {
    return uid;
  }

  // Params, named as Spark ML names them (Spark finds them by these public no-argument methods).
  public Param<String> inputCol() { return inputCol; }
  public Param<String> outputCol() { return outputCol; }
  public Param<String> modelPath() { return modelPath; }
  public IntParam dimension() { return dimension; }
  public IntParam maxLength() { return maxLength; }
  public IntParam batchTokens() { return batchTokens; }
  public Param<String> pooling() { return pooling; }
  public BooleanParam normalize() { return normalize; }
  public Param<String> instruction() { return instruction; }
  public Param<String> promptName() { return promptName; }
  public Param<String> attention() { return attention; }
  public Param<String> device() { return device; }
  public Param<String> promptCol() { return promptCol; }
  public IntParam chunkSize() { return chunkSize; }

  public String getInputCol() { return getOrDefault(inputCol); }
  public String getOutputCol() { return getOrDefault(outputCol); }
  public String getModelPath() { return getOrDefault(modelPath); }
  public int getDimension() { return (Integer) getOrDefault(dimension); }
  public int getMaxLength() { return (Integer) getOrDefault(maxLength); }
  public int getBatchTokens() { return (Integer) getOrDefault(batchTokens); }
  public String getPooling() { return getOrDefault(pooling); }
  public boolean getNormalize() { return (Boolean) getOrDefault(normalize); }
  public String getInstruction() { return getOrDefault(instruction); }
  public String getPromptName() { return getOrDefault(promptName); }
  public String getAttention() { return getOrDefault(attention); }
  public String getDevice() { return getOrDefault(device); }
  public String getPromptCol() { return getOrDefault(promptCol); }
  public int getChunkSize() { return (Integer) getOrDefault(chunkSize); }

  public KalmEmbedder setInputCol(String value) { set(inputCol, value); return this; }
  public KalmEmbedder setOutputCol(String value) { set(outputCol, value); return this; }
  /** The model: a node-local folder, {@code spark-files:NAME} or a Hadoop URI ({@link ModelSource}). */
  public KalmEmbedder setModelPath(String value) { set(modelPath, value); return this; }
  public KalmEmbedder setDimension(int value) { set(dimension, value); return this; }
  public KalmEmbedder setMaxLength(int value) { set(maxLength, value); return this; }
  public KalmEmbedder setBatchTokens(int value) { set(batchTokens, value); return this; }
  public KalmEmbedder setPooling(String value) { set(pooling, value); return this; }
  public KalmEmbedder setNormalize(boolean value) { set(normalize, value); return this; }
  public KalmEmbedder setInstruction(String value) { set(instruction, value); return this; }
  public KalmEmbedder setPromptName(String value) { set(promptName, value); return this; }
  public KalmEmbedder setAttention(String value) { set(attention, value); return this; }
  public KalmEmbedder setDevice(String value) { set(device, value); return this; }
  public KalmEmbedder setPromptCol(String value) { set(promptCol, value); return this; }
  public KalmEmbedder setChunkSize(int value) { set(chunkSize, value); return this; }

  /**
   * The schema with {@code outputCol} ({@code array<float>}, nullable) appended.
   *
   * @throws IllegalArgumentException when a param is invalid, the input (or prompt) column is missing or
   *     not a string, or the output column exists already
   */
  @Override
  public StructType transformSchema(StructType schema) {
    spec().config(); // validates the embedder params, naming a bad one
    checkArgument(getChunkSize() >= 1, "chunkSize must be >= 1, got %s", getChunkSize());
    checkStringColumn(schema, getInputCol(), "inputCol");
    if (!getPromptCol().isEmpty()) {
      checkStringColumn(schema, getPromptCol(), "promptCol");
    }
    checkArgument(!Arrays.asList(schema.fieldNames()).contains(getOutputCol()),
        "outputCol '%s' exists already in %s", getOutputCol(), schema.simpleString());
    return schema.add(new StructField(getOutputCol(), DataTypes.createArrayType(DataTypes.FloatType, false), true,
        org.apache.spark.sql.types.Metadata.empty()));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    StructType out = transformSchema(schema);
    int textIndex = schema.fieldIndex(getInputCol());
    int promptIndex = getPromptCol().isEmpty() ? -1 : schema.fieldIndex(getPromptCol());
    EmbedPartition fn = new EmbedPartition(spec(), textIndex, promptIndex, getChunkSize(), getInputCol());
    return dataset.toDF().mapPartitions(fn, Encoders.row(out));
  }

  @Override
  public KalmEmbedder copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** The serialisable settings tasks open their shared embedder with. */
  EmbedderSpec spec() {
    return new EmbedderSpec(getModelPath(), getDimension(), getMaxLength(), getBatchTokens(), getPooling(),
        getNormalize(), getInstruction(), getPromptName(), getAttention(), getDevice());
  }

  private static void checkStringColumn(StructType schema, String name, String param) {
    checkArgument(Arrays.asList(schema.fieldNames()).contains(name), "%s '%s' is not a column of %s", param, name,
        schema.simpleString());
    checkArgument(schema.apply(name).dataType().equals(DataTypes.StringType), "%s '%s' must be a string column, got %s",
        param, name, schema.apply(name).dataType().simpleString());
  }

  /** Spark's reader of saved params, reached through the static {@link #read()}. */
  private static final class Readable implements DefaultParamsReadable<KalmEmbedder>, Serializable {
    private static final long serialVersionUID = 1L;
  }

  /** One task's work: the partition's rows, a chunk at a time, each with its embedding appended. */
  private record EmbedPartition(EmbedderSpec spec, int textIndex, int promptIndex, int chunkSize, String column)
      implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      return new ChunkIterator(this, rows);
    }
  }

  private static final class ChunkIterator implements Iterator<Row> {
    private final EmbedPartition job;
    private final Iterator<Row> input;
    private final TaskContext task = TaskContext.get();
    private SharedEmbedders.Lease lease;
    private List<Row> chunk = List.of();
    private int next;
    private long rowsDone;
    private long started;

    ChunkIterator(EmbedPartition job, Iterator<Row> input) {
      this.job = job;
      this.input = input;
    }

    @Override
    public boolean hasNext() {
      if (next < chunk.size()) {
        return true;
      }
      if (!input.hasNext()) {
        finish();
        return false;
      }
      chunk = embedChunk();
      next = 0;
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return chunk.get(next++);
    }

    private List<Row> embedChunk() {
      List<Row> rows = new ArrayList<>(job.chunkSize());
      while (rows.size() < job.chunkSize() && input.hasNext()) {
        rows.add(input.next());
      }
      Embedder embedder = lease().embedder();
      // Rows grouped by prompt (one group, the configured prompt, unless a prompt column is set).
      Map<Prompt, List<Integer>> groups = new LinkedHashMap<>();
      for (int i = 0; i < rows.size(); i++) {
        Row row = rows.get(i);
        if (row.isNullAt(job.textIndex())) {
          continue;
        }
        Prompt p = job.promptIndex() < 0 || row.isNullAt(job.promptIndex())
            ? embedder.config().effectivePrompt()
            : Prompt.raw(row.getString(job.promptIndex()));
        groups.computeIfAbsent(p, x -> new ArrayList<>()).add(i);
      }
      float[][] vectors = new float[rows.size()][];
      for (Map.Entry<Prompt, List<Integer>> group : groups.entrySet()) {
        List<String> texts = new ArrayList<>(group.getValue().size());
        group.getValue().forEach(i -> texts.add(rows.get(i).getString(job.textIndex())));
        float[][] embedded;
        try {
          embedded = embedder.embed(texts, group.getKey());
        } catch (RuntimeException e) {
          throw new IllegalStateException("kalm-spark: cannot embed column '" + job.column() + "' of rows "
              + (rowsDone + 1) + ".." + (rowsDone + rows.size()) + " of partition " + partition() + ": " + e.getMessage(), e);
        }
        for (int j = 0; j < embedded.length; j++) {
          vectors[group.getValue().get(j)] = embedded[j];
        }
      }
      List<Row> out = new ArrayList<>(rows.size());
      for (int i = 0; i < rows.size(); i++) {
        Row row = rows.get(i);
        Object[] values = new Object[row.length() + 1];
        for (int c = 0; c < row.length(); c++) {
          values[c] = row.get(c);
        }
        values[row.length()] = vectors[i];
        out.add(RowFactory.create(values));
      }
      rowsDone += rows.size();
      return out;
    }

    private SharedEmbedders.Lease lease() {
      if (lease == null) {
        started = System.nanoTime();
        SharedEmbedders.Lease taken = SharedEmbedders.acquire(job.spec());
        lease = taken;
        if (task != null) { // also on failure or when the consumer stops early
          task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) context -> taken.close());
        }
      }
      return lease;
    }

    private void finish() {
      if (lease != null) {
        double seconds = (System.nanoTime() - started) / 1e9;
        LOG.info("kalm-spark: partition {} embedded {} rows in {} s ({} rows/s) on {}", partition(), rowsDone,
            String.format(java.util.Locale.ROOT, "%.2f", seconds),
            String.format(java.util.Locale.ROOT, "%.1f", rowsDone / Math.max(seconds, 1e-9)), ModelSource.host());
        lease.close();
        lease = null;
      }
    }

    private String partition() {
      return task == null ? "?" : Integer.toString(task.partitionId());
    }
  }
}
