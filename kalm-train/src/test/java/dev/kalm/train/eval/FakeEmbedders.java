package dev.kalm.train.eval;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Deterministic embedders for tests. */
final class FakeEmbedders {
  private FakeEmbedders() {}

  /** What both fakes share: a fixed dimension, whitespace tokens, nothing to close. */
  private abstract static class Fake implements Embedder {
    final int dimension;

    Fake(int dimension) {
      this.dimension = dimension;
    }

    @Override
    public int dimension() {
      return dimension;
    }

    @Override
    public int tokenCount(String text) {
      return text.split("\\s+").length;
    }

    @Override
    public void close() {}
  }

  /** Looks each text (prompt applied) up in a table; unknown texts get the zero vector. Counts texts embedded. */
  static final class Table extends Fake {
    private final Map<String, float[]> vectors;
    private final Prompt prompt;
    final AtomicInteger embedded = new AtomicInteger();
    final List<Prompt> prompts = new ArrayList<>();
    final List<String> seen = new ArrayList<>();

    Table(Map<String, float[]> vectors, int dimension) {
      this(vectors, dimension, Prompt.none());
    }

    Table(Map<String, float[]> vectors, int dimension, Prompt configured) {
      super(dimension);
      this.vectors = vectors;
      this.prompt = configured;
    }

    @Override
    public synchronized float[][] embed(List<String> texts, Prompt prompt, ProgressListener progress) {
      prompts.add(prompt);
      seen.addAll(texts);
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < out.length; i++) {
        float[] v = vectors.get(prompt.apply(texts.get(i)));
        out[i] = v == null ? new float[dimension] : v.clone();
        progress.progress(i + 1, texts.size());
      }
      embedded.addAndGet(texts.size());
      return out;
    }


    @Override
    public EmbedderConfig config() {
      return EmbedderConfig.builder().prompt(prompt).build();
    }
  }

  /** One-hot vector {@code e_i} for each text {@code i} of the table; other texts get zero. */
  static Table oneHot(Map<String, Integer> index, int dimension) {
    Map<String, float[]> vectors = new java.util.HashMap<>();
    index.forEach((text, i) -> {
      float[] v = new float[dimension];
      v[i] = 1;
      vectors.put(text, v);
    });
    return new Table(vectors, dimension);
  }

  /**
   * Hashed bag of words: lowercase letter/digit tokens, each adds +-1 to one of {@code dimension} buckets
   * (FNV-1a hash), then L2 normalisation. The prompt is part of the text.
   */
  static final class HashedBagOfWords extends Fake {
    HashedBagOfWords(int dimension) {
      super(dimension);
    }

    @Override
    public float[][] embed(List<String> texts, Prompt prompt, ProgressListener progress) {
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < out.length; i++) {
        out[i] = vector(prompt.apply(texts.get(i)));
        if ((i + 1) % 1000 == 0 || i + 1 == out.length) {
          progress.progress(i + 1, texts.size());
        }
      }
      return out;
    }

    private float[] vector(String text) {
      float[] v = new float[dimension];
      for (String token : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
        if (token.isEmpty()) {
          continue;
        }
        int h = 0x811c9dc5;
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
          h = (h ^ (b & 0xff)) * 0x01000193;
        }
        v[Math.floorMod(h, dimension)] += (h & 0x40000000) == 0 ? 1 : -1;
      }
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      if (norm > 0) {
        for (int j = 0; j < dimension; j++) {
          v[j] /= (float) Math.sqrt(norm);
        }
      }
      return v;
    }


    @Override
    public EmbedderConfig config() {
      return EmbedderConfig.defaults();
    }
  }
}
