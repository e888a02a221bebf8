package dev.kalm.core.model;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import com.google.gson.JsonObject;
import dev.kalm.core.internal.model.Qwen2Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * Randomly initialised Qwen2/Qwen3 weights and the named model shapes ("presets"). Initialisation follows
 * transformers' Qwen2/Qwen3: linear and embedding weights ~ N(0, 0.02), biases 0, RMSNorm weights (q/k norms
 * included) 1. Each
 * tensor's values depend only on the seed and the tensor's name, so they are reproducible.
 */
public final class ModelInit {
  /** Vocabulary size of Qwen2 and KaLM-Embedding (covers the bundled tokenizer's ids). */
  public static final int QWEN2_VOCAB = 151936;
  /** Embedding rows of Qwen3-Embedding-0.6B (151,643 BPE tokens plus 26 added tokens). */
  public static final int QWEN3_VOCAB = 151669;

  private ModelInit() {}

  /**
   * What {@link #writeRandom} records in the folder's {@code kalm_provenance.json}: {@code created_by}, the
   * preset's name and the seed.
   *
   * @param createdBy what made the folder, e.g. {@code "kalm init"}
   * @param preset the preset's name (or config file) the shape came from, as {@link #preset(String)} takes it
   */
  public record Provenance(String createdBy, String preset) {}

  /**
   * A preset shape: {@code tiny} (hidden 64, 2 layers: tests), {@code small} (hidden 256, 4 layers: the demo),
   * {@code qwen2-0.5b} (KaLM's exact shape: 896 hidden, 24 layers, 14 heads, 2 KV heads, 4864 intermediate),
   * {@code qwen3-tiny} (Qwen3, hidden 64, 2 layers, 4 heads, 2 KV heads, head_dim 32: tests),
   * {@code qwen3-0.6b} (Qwen3-Embedding-0.6B's shape: 1024 hidden, 28 layers, 16 heads, 8 KV heads, head_dim 128,
   * 3072 intermediate, vocab 151669, tied), or a path to a {@code config.json}.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static Qwen2Config preset(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "tiny":
        return Qwen2Config.of(QWEN2_VOCAB, 64, 128, 2, 4, 2);
      case "small":
        return Qwen2Config.of(QWEN2_VOCAB, 256, 768, 4, 4, 2);
      case "qwen2-0.5b":
        return new Qwen2Config(QWEN2_VOCAB, 896, 4864, 24, 14, 2, 64, 1e-6, 1e6, 32768, true, Attention.CAUSAL);
      case "qwen3-tiny":
        return new Qwen2Config(QWEN3_VOCAB, 64, 128, 2, 4, 2, 32, 1e-6, 1e6, 32768, true, Attention.CAUSAL,
            ModelType.QWEN3, false);
      case "qwen3-0.6b":
        return new Qwen2Config(QWEN3_VOCAB, 1024, 3072, 28, 16, 8, 128, 1e-6, 1e6, 32768, true, Attention.CAUSAL,
            ModelType.QWEN3, false);
      default:
        Path file = Path.of(name);
        checkArgument(Files.isRegularFile(file),
            "preset must be tiny, small, qwen2-0.5b, qwen3-tiny, qwen3-0.6b or a config.json file; got '%s'", name);
        return Qwen2Config.read(file);
    }
  }

  /** Random weights for {@code config}, by Hugging Face name. */
  public static Map<String, float[]> randomWeights(Qwen2Config config, long seed) {
    Map<String, float[]> weights = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : config.expectedShapes().entrySet()) {
      String name = e.getKey();
      long count = 1;
      for (long d : e.getValue()) {
        count *= d;
      }
      float[] data = new float[Math.toIntExact(count)];
      if (name.endsWith("norm.weight")) {
        java.util.Arrays.fill(data, 1f);
      } else if (name.endsWith(".weight")) {
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        for (int i = 0; i < data.length; i++) {
          data[i] = (float) (random.nextGaussian() * 0.02);
        }
      }
      weights.put(name, data);
    }
    return weights;
  }

  /**
   * Writes a randomly initialised model folder ({@link ModelWriter} layout, replacing {@code folder}):
   * {@link #randomWeights(Qwen2Config, long)} for {@code config}, the tokenizer, the sentence-transformers
   * settings and the provenance. This is the one recipe behind {@code kalm init}, {@code kalm bench}, the demo
   * and the tests' small models.
   *
   * <pre>{@code
   * ModelInit.writeRandom(Path.of("tiny-model"), ModelInit.preset("tiny"), 42, null,
   *     SentenceTransformerSettings.kalm(), new ModelInit.Provenance("my-program", "tiny"));
   * }</pre>
   *
   * @param tokenizer a {@code tokenizer.json} or a folder with one; null for the bundled Qwen2 tokenizer
   * @param origin written with {@code seed} as {@code kalm_provenance.json}, or null for none
   * @throws UncheckedIOException naming the folder when it cannot be written
   */
  public static void writeRandom(Path folder, Qwen2Config config, long seed, @Nullable Path tokenizer,
      SentenceTransformerSettings settings, @Nullable Provenance origin) {
    String provenance = null;
    if (origin != null) {
      JsonObject json = new JsonObject();
      json.addProperty("created_by", origin.createdBy());
      json.addProperty("preset", origin.preset());
      json.addProperty("seed", seed);
      provenance = json.toString();
    }
    if (tokenizer != null) {
      ModelWriter.write(folder, config, randomWeights(config, seed), tokenizer, settings, provenance);
      return;
    }
    Path extracted;
    try {
      extracted = Files.createTempDirectory("kalm-tokenizer");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary folder for the tokenizer: " + e.getMessage(), e);
    }
    try {
      BundledTokenizer.writeTo(extracted);
      ModelWriter.write(folder, config, randomWeights(config, seed), extracted, settings, provenance);
    } finally {
      try {
        MoreFiles.deleteRecursively(extracted, RecursiveDeleteOption.ALLOW_INSECURE);
      } catch (IOException ignored) {
        // a leftover temporary tokenizer copy is harmless
      }
    }
  }
}
