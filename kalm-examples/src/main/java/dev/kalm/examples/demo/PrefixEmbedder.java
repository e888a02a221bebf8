package dev.kalm.examples.demo;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A Matryoshka view of an un-normalised embedder: the first {@code dimension} components, L2-normalised.
 * Full vectors are cached by (prompt, text) in a map shared by several views, so evaluating at several
 * dimensions embeds each text once. Does not own the underlying embedder.
 */
final class PrefixEmbedder implements Embedder {
  private final Embedder full;
  private final int dimension;
  private final Map<String, float[]> cache;

  PrefixEmbedder(Embedder full, int dimension, Map<String, float[]> cache) {
    this.full = full;
    this.dimension = dimension;
    this.cache = cache;
  }

  @Override
  public float[][] embed(List<String> texts, Prompt prompt, ProgressListener progress) {
    List<String> missing = new ArrayList<>();
    for (String t : texts) {
      if (!cache.containsKey(prompt.prefix() + "\u0000" + t)) {
        missing.add(t);
      }
    }
    if (!missing.isEmpty()) {
      float[][] vectors = full.embed(missing, prompt, progress);
      for (int i = 0; i < missing.size(); i++) {
        cache.put(prompt.prefix() + "\u0000" + missing.get(i), vectors[i]);
      }
    }
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < texts.size(); i++) {
      float[] v = Arrays.copyOf(cache.get(prompt.prefix() + "\u0000" + texts.get(i)), dimension);
      double norm = 0;
      for (float x : v) {
        norm += x * x;
      }
      float scale = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
      for (int j = 0; j < v.length; j++) {
        v[j] *= scale;
      }
      out[i] = v;
    }
    return out;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public int tokenCount(String text) {
    return full.tokenCount(text);
  }

  @Override
  public EmbedderConfig config() {
    return full.config().toBuilder().dimension(dimension).normalize(true).build();
  }

  @Override
  public void close() {}
}
