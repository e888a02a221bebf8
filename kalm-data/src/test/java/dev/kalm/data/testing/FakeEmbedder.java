package dev.kalm.data.testing;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.hash.Hashing;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A deterministic stand-in for a real model in tests: no weights, no native memory. Two kinds:
 * <ul>
 *   <li>{@link #quantized(int)}: a pseudo-random vector per (prompt + text) whose components are
 *       multiples of 1/1024, so inner products are exact in float32 whatever the summation order;
 *   <li>{@link #bagOfWords(int)}: hashed lower-cased words, L2-normalised, so texts sharing words are
 *       similar (useful to see ranking consistency at work).
 * </ul>
 * Records every call (texts and prompt). Token count = number of whitespace-separated words.
 * Thread-safe for the calls log; closing is a no-op that makes later calls fail, as the contract says.
 */
public final class FakeEmbedder implements Embedder {
  /** One {@code embed} call. */
  public record Call(List<String> texts, Prompt prompt) {}

  private final int dimension;
  private final boolean bagOfWords;
  private final List<Call> calls = new ArrayList<>();
  private volatile boolean closed;

  private FakeEmbedder(int dimension, boolean bagOfWords) {
    checkArgument(dimension >= 1, "dimension must be >= 1, got %s", dimension);
    this.dimension = dimension;
    this.bagOfWords = bagOfWords;
  }

  /** Pseudo-random vectors with components k/1024, k in [-1024, 1024]. */
  public static FakeEmbedder quantized(int dimension) {
    return new FakeEmbedder(dimension, false);
  }

  /** Hashed bag-of-words vectors, L2-normalised. */
  public static FakeEmbedder bagOfWords(int dimension) {
    return new FakeEmbedder(dimension, true);
  }

  @Override
  public float[][] embed(List<String> texts, Prompt prompt, ProgressListener progress) {
    checkState(!closed, "closed");
    synchronized (calls) {
      calls.add(new Call(List.copyOf(texts), prompt));
    }
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < texts.size(); i++) {
      checkArgument(texts.get(i) != null, "texts[%s] is null", i);
      out[i] = vector(prompt.apply(texts.get(i)));
      progress.progress(i + 1, texts.size());
    }
    return out;
  }

  /** The vector of a text (prompt already applied). */
  public float[] vector(String text) {
    float[] v = new float[dimension];
    if (bagOfWords) {
      double norm = 0;
      for (String word : text.toLowerCase(Locale.ROOT).split("\\W+")) {
        if (!word.isEmpty()) {
          v[Math.floorMod(Hashing.murmur3_32_fixed().hashString(word, StandardCharsets.UTF_8).asInt(), dimension)] += 1;
        }
      }
      for (float x : v) {
        norm += x * x;
      }
      for (int j = 0; j < dimension && norm > 0; j++) {
        v[j] /= (float) Math.sqrt(norm);
      }
    } else {
      Random random = new Random(Hashing.murmur3_128().hashString(text, StandardCharsets.UTF_8).asLong());
      for (int j = 0; j < dimension; j++) {
        v[j] = (random.nextInt(2049) - 1024) / 1024f;
      }
    }
    return v;
  }

  /** The calls so far. */
  public List<Call> calls() {
    synchronized (calls) {
      return List.copyOf(calls);
    }
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public int tokenCount(String text) {
    String t = text.strip();
    return t.isEmpty() ? 0 : t.split("\\s+").length;
  }

  @Override
  public EmbedderConfig config() {
    return EmbedderConfig.builder().build();
  }

  @Override
  public void close() {
    closed = true;
  }
}
