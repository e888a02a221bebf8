package dev.kalm.core.embed;

import static com.google.common.base.Preconditions.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.kalm.core.model.Qwen2Model;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;
import dev.kalm.core.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * {@link Embedder} over a {@link Qwen2Model}: tokenise, sort by length, cut batches by a token budget,
 * pad to the longest in the batch, encode without gradient on a per-batch manager, pool, truncate,
 * normalise, copy out once per batch, restore input order.
 *
 * <p>Lifecycle: every native section (tokenising a call's texts, one batch) runs under the read side of a
 * lock; {@link #close()} marks the embedder closed, then takes the write side, so it waits for the batches in
 * flight and frees the model only when none runs. A call in flight fails at its next batch with
 * "embedder is closed". Stopping: {@link StopSignal#current()} is checked before every batch.
 */
final class Qwen2Embedder implements Embedder {
  private final Qwen2Model model;
  private final TextTokenizer tokenizer;
  private final EmbedderConfig config;
  private final boolean ownsModel;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile boolean closed;
  private boolean released; // guarded by the write lock

  Qwen2Embedder(Qwen2Model model, TextTokenizer tokenizer, EmbedderConfig resolved, boolean ownsModel) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.config = resolved;
    this.ownsModel = ownsModel;
  }

  @Override
  public float[][] embed(List<String> texts, Prompt prompt, ProgressListener progress) {
    checkOpen();
    StopSignal stop = StopSignal.current();
    List<String> prompted = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (text == null) {
        throw new IllegalArgumentException("texts[" + i + "] is null");
      }
      prompted.add(prompt.apply(text));
    }
    long[][] ids = whileOpen(() -> tokenizer.encode(prompted));
    Integer[] order = new Integer[ids.length];
    Arrays.setAll(order, i -> i);
    int max = config.maxLength();
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
        if (stop.isStopRequested()) {
          throw new StoppedException("stopped after embedding " + start + " of " + order.length + " texts");
        }
        float[][] vectors = whileOpen(() -> encodeBatch(TokenBatch.rightPadded(sequences, max)));
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

  /** Runs native work under the read lock, failing when the embedder was closed before it could start. */
  private <T> T whileOpen(Supplier<T> work) {
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      checkOpen();
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() {
    checkState(!closed, "embedder is closed");
  }

  @Override
  public int dimension() {
    checkOpen();
    return config.dimension();
  }

  @Override
  public int tokenCount(String text) {
    checkOpen();
    return whileOpen(() -> tokenizer.encode(text).length);
  }

  @Override
  public EmbedderConfig config() {
    checkOpen();
    return config;
  }

  /**
   * Marks the embedder closed (new calls and the next batch of calls in flight throw), waits for the batches
   * in flight, then frees the model and tokenizer when this embedder owns them. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    Lock lock = lifecycle.writeLock();
    lock.lock();
    try {
      if (!released) {
        released = true;
        if (ownsModel) {
          model.close();
          tokenizer.close();
        }
      }
    } finally {
      lock.unlock();
    }
  }
}
