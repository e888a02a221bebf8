package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Embeds the texts of one evaluation: each distinct text once per call (as MTEB does), progress summed
 * over calls, vector sizes checked. Not thread-safe; one per {@link Evaluator#evaluate} call.
 */
final class Embedding {
  private final Embedder embedder;
  private final ProgressListener progress;
  private final long total;
  private long done;
  private int dimension = -1;

  /** @param total the number of distinct texts over all calls to come (see {@link #distinct}) */
  Embedding(Embedder embedder, ProgressListener progress, long total) {
    this.embedder = embedder;
    this.progress = progress;
    this.total = total;
  }

  /** The number of distinct texts of a list. */
  /**
   * Embeds sentence pairs without prompt: rows {@code 0..n-1} are the first sentences, rows {@code n..2n-1}
   * the second ones.
   */
  static <P> float[][] pairs(Embedder embedder, ProgressListener progress, List<P> pairs,
      java.util.function.Function<P, String> first, java.util.function.Function<P, String> second) {
    List<String> texts = new java.util.ArrayList<>(2 * pairs.size());
    pairs.forEach(p -> texts.add(first.apply(p)));
    pairs.forEach(p -> texts.add(second.apply(p)));
    return new Embedding(embedder, progress, distinct(texts)).embed(texts, Prompt.none());
  }

  static int distinct(List<String> texts) {
    return new LinkedHashSet<>(texts).size();
  }

  /**
   * The embeddings of {@code texts} (raw, as the embedder returns them), row {@code i} for text {@code i};
   * equal texts share one row array, which callers must not modify.
   */
  float[][] embed(List<String> texts, Prompt prompt) {
    List<String> unique = new ArrayList<>(new LinkedHashSet<>(texts));
    long offset = done;
    float[][] vectors = unique.isEmpty() ? new float[0][]
        : embedder.embed(unique, prompt, (d, t) -> progress.progress(offset + d, total));
    checkArgument(vectors.length == unique.size(), "embedder returned %s vectors for %s texts",
        vectors.length, unique.size());
    Map<String, float[]> byText = new HashMap<>(unique.size() * 2);
    for (int i = 0; i < vectors.length; i++) {
      if (dimension < 0) {
        dimension = vectors[i].length;
      }
      checkArgument(vectors[i].length == dimension, "embedder returned vectors of sizes %s and %s",
          dimension, vectors[i].length);
      byText.put(unique.get(i), vectors[i]);
    }
    done += unique.size();
    progress.progress(done, total);
    float[][] out = new float[texts.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = byText.get(texts.get(i));
    }
    return out;
  }
}
