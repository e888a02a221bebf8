package dev.kalm.core.embed;

import static com.google.common.base.Preconditions.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.kalm.core.model.Qwen2Model;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.core.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * {@link Embedder} over a {@link Qwen2Model}: tokenise (truncating as transformers does, keeping the
 * post-processor's special tokens), sort by length, cut batches by a token budget, pad to the longest in the
 * batch (on the left for last-token pooling, as Qwen3-Embedding and gte-Qwen2 do, else on the right), encode
 * without gradient on a per-batch manager, pool, truncate, normalise, copy out once per batch, restore input
 * order.
 */
final class Qwen2Embedder implements Embedder {
  private final Qwen2Model model;
  private final TextTokenizer tokenizer;
  private final EmbedderConfig config;
  private final boolean ownsModel;
  private volatile boolean closed;

  Qwen2Embedder(Qwen2Model model, TextTokenizer tokenizer, EmbedderConfig resolved, boolean ownsModel) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.config = resolved;
    this.ownsModel = ownsModel;
  }

  @Override
  public float[][] embed(List<String> texts, Prompt prompt, ProgressListener progress) {
    checkState(!closed, "embedder is closed");
    List<String> prompted = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (text == null) {
        throw new IllegalArgumentException("texts[" + i + "] is null");
      }
      prompted.add(prompt.apply(text));
    }
    int max = config.maxLength();
    long[][] ids = tokenizer.encode(prompted, max);
    int vocab = model.config().vocabSize();
    for (int i = 0; i < ids.length; i++) {
      for (long id : ids[i]) {
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException("texts[" + i + "]: token id " + id + " is outside the model's "
              + vocab + " embedding rows (tokenizer and model do not match)");
        }
      }
    }
    Integer[] order = new Integer[ids.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingInt((Integer i) -> -Math.min(ids[i].length, max)).thenComparingInt(i -> i));
    float[][] out = new float[ids.length][];
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      int start = 0;
      while (start < order.length) {
        int longest = Math.max(1, Math.min(ids[order[start]].length, max));
        int size = Math.max(1, Math.min(order.length - start, config.batchTokens() / longest));
        List<long[]> sequences = new ArrayList<>(size);
        for (int j = start; j < start + size; j++) {
          sequences.add(ids[order[j]]);
        }
        float[][] vectors = encodeBatch(config.pooling() == Pooling.LAST
            ? TokenBatch.leftPadded(sequences, max) : TokenBatch.rightPadded(sequences, max));
        for (int j = 0; j < size; j++) {
          out[order[start + j]] = vectors[j];
        }
        start += size;
        progress.progress(start, order.length);
      }
    } finally {
      JniUtils.setGradMode(gradMode);
    }
    return out;
  }

  private float[][] encodeBatch(TokenBatch batch) {
    try (NDManager manager = model.backend().newManager()) {
      NDArray hidden = model.forward(batch.ids(manager), batch.mask(manager), config.attention());
      NDArray pooled = Pooler.pool(hidden, batch.poolingWeights(manager, config.pooling()));
      NDArray vectors = Pooler.truncateAndNormalize(pooled, config.dimension(), config.normalize());
      float[] flat = vectors.toFloatArray();
      int dim = (int) vectors.getShape().get(1);
      float[][] rows = new float[batch.rows()][];
      for (int r = 0; r < rows.length; r++) {
        rows[r] = Arrays.copyOfRange(flat, r * dim, (r + 1) * dim);
      }
      return rows;
    }
  }

  @Override
  public int dimension() {
    return config.dimension();
  }

  @Override
  public int tokenCount(String text) {
    checkState(!closed, "embedder is closed");
    return tokenizer.encode(text).length;
  }

  @Override
  public EmbedderConfig config() {
    return config;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      if (ownsModel) {
        model.close();
        tokenizer.close();
      }
    }
  }
}
