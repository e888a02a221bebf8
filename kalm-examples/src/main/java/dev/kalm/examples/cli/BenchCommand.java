package dev.kalm.examples.cli;

import dev.kalm.core.device.Backend;
import dev.kalm.core.device.Backends;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.internal.runtime.NativeRuntime;
import dev.kalm.core.model.ModelInit;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.model.SentenceTransformerSettings;
import dev.kalm.core.progress.ResidentMemory;
import dev.kalm.examples.bench.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kalm bench}: embedding throughput (tokens/s) beside the machine's matmul peak measured in the same
 * run, and the resident-memory check over many texts. Benchmarks, not tests: run them by hand.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Measure embedding throughput and memory growth.",
    description = {"Embeds synthetic texts with a random model (or --model) on the CPU and reports tokens/s beside "
        + "the matmul peak measured in the same run; --memory reports resident memory instead.",
        "Examples: kalm bench --preset tiny --texts 2000; kalm bench --preset tiny --memory --texts 100000"})
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--preset", paramLabel = "NAME", defaultValue = "tiny", description = "Shape of the random model: tiny, small, qwen2-0.5b, qwen3-tiny or qwen3-0.6b (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--model", paramLabel = "DIR", description = "Benchmark this model folder instead (default: a random model of --preset).")
  Path model;

  @Option(names = "--texts", paramLabel = "N", defaultValue = "2000", description = "Number of texts (default: ${DEFAULT-VALUE}).")
  int texts;

  @Option(names = "--words", paramLabel = "N", defaultValue = "40", description = "Words per text, about 1.3 tokens each (default: ${DEFAULT-VALUE}).")
  int words;

  @Mixin BatchOptions batchOptions;

  @Option(names = "--memory", description = "Memory check: embed --texts in rounds of 10,000 and report resident memory after each.")
  boolean memory;

  @Override
  public Integer call() throws Exception {
    Backend backend = Backends.cpu();
    Path folder = model;
    Path tmp = null;
    if (folder == null) {
      tmp = Files.createTempDirectory("kalm-bench");
      folder = tmp.resolve("model");
      ModelInit.writeRandom(folder, ModelInit.preset(preset), 1, null, SentenceTransformerSettings.kalm(), null);
    }
    List<String> corpus = syntheticTexts(texts, words, 7);
    EmbedderConfig config = EmbedderConfig.builder().batchTokens(batchOptions.batchTokens)
        .parallelBatches(batchOptions.parallelBatches).maxLength(512)
        .device(dev.kalm.core.device.DeviceChoice.CPU).build();
    try (Embedder embedder = Embedders.load(folder, config)) {
      Qwen2Config shape = dev.kalm.core.model.ModelFolder.read(folder).config();
      if (memory) {
        return memoryCheck(embedder);
      }
      long tokens = 0;
      for (String t : corpus) {
        tokens += Math.min(512, embedder.tokenCount(t));
      }
      embedder.embed(corpus.subList(0, Math.min(corpus.size(), 64))); // warm-up
      double peak = Machine.matmulGflops(backend, 1024);
      long start = System.nanoTime();
      embedder.embed(corpus);
      double seconds = (System.nanoTime() - start) / 1e9;
      double peakAfter = Machine.matmulGflops(backend, 1024);
      double tokensPerSecond = tokens / seconds;
      double meanLength = (double) tokens / corpus.size();
      double flopsPerToken = 2.0 * (shape.parameterCount() - (long) shape.vocabSize() * shape.hiddenSize())
          + 4.0 * shape.numLayers() * meanLength * shape.numHeads() * shape.headDim();
      double achieved = tokensPerSecond * flopsPerToken / 1e9;
      System.out.printf(Locale.ROOT, "model %s: %d texts, %d tokens (mean %.1f) in %.2f s%n",
          model != null ? model : preset, corpus.size(), tokens, meanLength, seconds);
      System.out.printf(Locale.ROOT, "embedding throughput: %.0f tokens/s = %.1f GFLOP/s%n", tokensPerSecond, achieved);
      System.out.printf(Locale.ROOT, "matmul peak (1024^3 fp32, same run, before/after): %.1f / %.1f GFLOP/s%n", peak, peakAfter);
      System.out.printf(Locale.ROOT, "fraction of peak: %.1f %%%n", 100 * achieved / Math.max(peak, peakAfter));
      System.out.println("MKL on an AMD CPU with AVX-512: " + (NativeRuntime.mklVendorCheckReplaced()
          ? "AVX-512 kernels (-Dkalm.mkl.amdAvx512=false for MKL's default)" : "not applicable or turned off"));
      return 0;
    } finally {
      if (tmp != null) {
        com.google.common.io.MoreFiles.deleteRecursively(tmp, com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE);
      }
    }
  }

  private int memoryCheck(Embedder embedder) {
    int round = 10_000;
    double warm = -1;
    double last = -1;
    for (int done = 0, r = 0; done < texts; done += round, r++) {
      embedder.embed(syntheticTexts(Math.min(round, texts - done), 8, 100 + r));
      last = ResidentMemory.mib();
      if (r == 0) {
        warm = last;
      }
      System.out.printf(Locale.ROOT, "after %,d texts: resident %.0f MiB%n", done + Math.min(round, texts - done), last);
    }
    double growth = 100 * (last - warm) / warm;
    System.out.printf(Locale.ROOT, "growth after warm-up (first %,d texts): %.1f %% (limit 10 %%)%n", round, growth);
    return growth <= 10 ? 0 : 1;
  }

  /** Deterministic pseudo-English texts of {@code words} words. */
  static List<String> syntheticTexts(int count, int words, long seed) {
    String[] vocabulary = ("the of and to in is for on that with as by this from file list print options command "
        + "directory output input default value user system set name page manual display show read write "
        + "create remove copy move search pattern line text number error exit status").split(" ");
    Random random = new Random(seed);
    List<String> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      StringBuilder s = new StringBuilder();
      int n = Math.max(1, words / 2 + random.nextInt(words + 1));
      for (int w = 0; w < n; w++) {
        s.append(w == 0 ? "" : " ").append(vocabulary[random.nextInt(vocabulary.length)]);
      }
      out.add(s.toString());
    }
    return out;
  }
}
