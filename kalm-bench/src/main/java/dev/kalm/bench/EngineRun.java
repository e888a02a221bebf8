package dev.kalm.bench;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.model.Prompt;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One engine embedding one text file, in a process of its own (so its peak resident memory is its own):
 * load, warm up on the first {@link #WARM_UP} texts, embed all texts once (timed: the steady-state figure), write the
 * embeddings (float32, little-endian, row after row) and print one {@code RESULT key=value ...} line (tokens, seconds,
 * load_seconds, hwm_mib, cpu_seconds of the timed pass).
 *
 * <pre>EngineRun kalm|ort MODEL TEXTS EMBEDDINGS_OUT [key=value ...]</pre>
 *
 * kalm: MODEL is the model folder; options {@code batchTokens}. ort: MODEL is the .onnx file beside the
 * kalm folder's tokenizer (option {@code tokenizer}, a folder or file); options {@code batch} (texts per
 * batch, sorted by length as sentence-transformers does; default 32) and {@code threads} (default 2).
 * Both truncate at 512 tokens and embed without prompt; option {@code limit} embeds the first texts only.
 */
public final class EngineRun {
  static final int MAX_LENGTH = 512;
  /**
   * Texts of the untimed warm-up pass: enough for several batches in either engine, so the timed pass finds the
   * JIT's code compiled, worker threads and native pools started and allocators grown (steady state).
   */
  static final int WARM_UP = 256;

  private EngineRun() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: EngineRun kalm|ort MODEL TEXTS EMBEDDINGS_OUT [key=value ...]");
      System.exit(2);
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (String kv : Arrays.copyOfRange(args, 4, args.length)) {
      int eq = kv.indexOf('=');
      options.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    List<String> texts = BenchTexts.read(Path.of(args[2]));
    if (options.containsKey("limit")) {
      texts = texts.subList(0, Math.min(texts.size(), Integer.parseInt(options.get("limit"))));
    }
    long start = System.nanoTime();
    float[][] vectors;
    long tokens;
    double seconds;
    double loadSeconds;
    double cpu0;
    double cpu;
    switch (args[0]) {
      case "kalm" -> {
        EmbedderConfig.Builder b = EmbedderConfig.builder().maxLength(MAX_LENGTH).device(DeviceChoice.CPU)
            .prompt(Prompt.none());
        if (options.containsKey("batchTokens")) {
          b.batchTokens(Integer.parseInt(options.get("batchTokens")));
        }
        try (Embedder embedder = Embedders.load(Path.of(args[1]), b.build())) {
          loadSeconds = (System.nanoTime() - start) / 1e9;
          tokens = texts.stream().mapToLong(t -> Math.min(MAX_LENGTH, embedder.tokenCount(t))).sum();
          embedder.embed(texts.subList(0, Math.min(WARM_UP, texts.size())), Prompt.none());
          cpu0 = cpuSeconds();
          long t0 = System.nanoTime();
          vectors = embedder.embed(texts, Prompt.none());
          seconds = (System.nanoTime() - t0) / 1e9;
          cpu = cpuSeconds() - cpu0;
        }
      }
      case "ort" -> {
        Path tokenizerPath = Path.of(options.getOrDefault("tokenizer", Path.of(args[1]).getParent().toString()));
        int batch = Integer.parseInt(options.getOrDefault("batch", "32"));
        int threads = Integer.parseInt(options.getOrDefault("threads", "2"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Path tokenizerFile = Files.isDirectory(tokenizerPath) ? tokenizerPath.resolve("tokenizer.json") : tokenizerPath;
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerFile)
                .optAddSpecialTokens(true).optTruncation(false).optPadding(false).build();
            OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
          so.setIntraOpNumThreads(threads);
          so.setInterOpNumThreads(1);
          so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
          try (OrtSession session = env.createSession(args[1], so)) {
            loadSeconds = (System.nanoTime() - start) / 1e9;
            tokens = Arrays.stream(ortTokenize(tokenizer, texts)).mapToLong(ids -> Math.min(MAX_LENGTH, ids.length)).sum();
            ortEmbed(env, session, tokenizer, texts.subList(0, Math.min(WARM_UP, texts.size())), batch);
            cpu0 = cpuSeconds();
            long t0 = System.nanoTime();
            vectors = ortEmbed(env, session, tokenizer, texts, batch);
            seconds = (System.nanoTime() - t0) / 1e9;
            cpu = cpuSeconds() - cpu0;
          }
        }
      }
      default -> throw new IllegalArgumentException("engine must be kalm or ort, got '" + args[0] + "'");
    }
    write(Path.of(args[3]), vectors);
    System.out.printf(Locale.ROOT, "RESULT tokens=%d seconds=%.3f load_seconds=%.2f hwm_mib=%.0f cpu_seconds=%.3f%n",
        tokens, seconds, loadSeconds, peakResidentMib(), cpu);
  }

  /** Tokenise, sort by length, cut batches of {@code batch} texts padded to their longest, run, restore order. */
  private static float[][] ortEmbed(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer, List<String> texts,
      int batch) throws OrtException {
    long[][] ids = ortTokenize(tokenizer, texts);
    Integer[] order = new Integer[ids.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> -Math.min(MAX_LENGTH, ids[i].length)));
    float[][] out = new float[ids.length][];
    for (int start = 0; start < order.length; start += batch) {
      int rows = Math.min(batch, order.length - start);
      int length = Math.max(1, Math.min(MAX_LENGTH, ids[order[start]].length));
      long[] flatIds = new long[rows * length];
      long[] flatMask = new long[rows * length];
      for (int r = 0; r < rows; r++) {
        long[] seq = ids[order[start + r]];
        for (int t = 0; t < Math.min(length, seq.length); t++) {
          flatIds[r * length + t] = seq[t];
          flatMask[r * length + t] = 1;
        }
      }
      long[] shape = {rows, length};
      try (OnnxTensor idTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(flatIds), shape);
          OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(flatMask), shape);
          OrtSession.Result result = session.run(Map.of("input_ids", idTensor, "attention_mask", maskTensor))) {
        float[][] vectors = (float[][]) result.get(0).getValue();
        for (int r = 0; r < rows; r++) {
          out[order[start + r]] = vectors[r];
        }
      }
    }
    return out;
  }

  /**
   * The peer's tokenisation, as a Java ONNX Runtime user writes it (LangChain4j and DJL's own ONNX Runtime
   * translators do the same): DJL's {@code HuggingFaceTokenizer.batchEncode} and the ids of its encodings.
   */
  private static long[][] ortTokenize(HuggingFaceTokenizer tokenizer, List<String> texts) {
    return Arrays.stream(tokenizer.batchEncode(texts, true, false)).map(Encoding::getIds).toArray(long[][]::new);
  }

  static void write(Path file, float[][] vectors) throws IOException {
    try (OutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      for (float[] v : vectors) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        out.write(b.array());
      }
    }
  }

  /**
   * User + system CPU time of this process in seconds, from {@code /proc/self/stat} (clock ticks of 1/100 s;
   * NaN where unavailable). On a busy machine wall time measures the neighbours too; CPU time measures the work
   * (spin-waiting threads included).
   */
  static double cpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** VmHWM of this process in MiB (-1 where /proc is not available). */
  static double peakResidentMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
