package dev.kalm.core.internal.embed;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.internal.device.Devices;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.model.DenseModule;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.model.SentenceTransformerModules;
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
 * {@link Embedder} over a {@link Qwen2Model}: tokenise (truncating as transformers does, keeping the
 * post-processor's special tokens), sort by length, cut batches by a token budget, pad to the longest in the
 * batch (on the left for last-token pooling, as Qwen3-Embedding and gte-Qwen2 do, else on the right), encode
 * without gradient on a per-batch manager, pool, truncate, normalise, copy out once per batch, restore input
 * order.
 *
 * <p>Lifecycle: every native section (tokenising a call's texts, one batch) runs under the read side of a
 * lock; {@link #close()} marks the embedder closed, then takes the write side, so it waits for the batches in
 * flight and frees the model only when none runs. A call in flight fails at its next batch with
 * "embedder is closed". Stopping: {@link StopSignal#current()} is checked before every batch.
 *
 * <p>Internal: programs get an embedder from {@code Embedders.load}; kalm's own modules use {@link #wrap} for an
 * embedder over a model they own (the trainer's model being trained).
 */
public final class Qwen2Embedder implements Embedder {
  private final Qwen2Model model;
  private final TextTokenizer tokenizer;
  private final EmbedderConfig config;
  private final boolean ownsModel;
  private final SentenceTransformerModules modules;
  private final NDManager headManager;
  private final List<NDArray[]> dense = new ArrayList<>(); // per Dense module: weight [out, in], bias [out] or null
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private volatile boolean closed;
  private boolean released; // guarded by the write lock

  /**
   * An embedder that owns {@code model} and {@code tokenizer} (closing it closes both).
   *
   * @param resolved the configuration with every default resolved (pooling, attention, prompt, max length and an
   *     explicit dimension)
   * @param modules the folder's sentence-transformers pipeline: lower-casing, {@code include_prompt} and Dense
   *     modules are applied here (pooling, max length and normalisation are already resolved into {@code resolved})
   */
  public static Embedder owning(Qwen2Model model, TextTokenizer tokenizer, EmbedderConfig resolved,
      SentenceTransformerModules modules) {
    return new Qwen2Embedder(model, tokenizer, resolved, true, modules);
  }

  /**
   * An embedder over a model and tokenizer owned by the caller (e.g. a model being trained): closing the
   * embedder leaves both open. {@code config}'s null settings default to mean pooling, the model's attention
   * and no prompt; its device is ignored (the model's backend is used).
   *
   * @throws IllegalArgumentException for a dimension above the model's hidden size
   */
  public static Embedder wrap(Qwen2Model model, TextTokenizer tokenizer, EmbedderConfig config) {
    EmbedderConfig resolved = config.toBuilder()
        .pooling(config.pooling() == null ? Pooling.MEAN : config.pooling())
        .attention(config.attention() == null ? model.config().attention() : config.attention())
        .prompt(config.prompt() == null ? Prompt.none() : config.prompt())
        .maxLength(config.maxLength() == 0 ? EmbedderConfig.DEFAULT_MAX_LENGTH : config.maxLength())
        .dimension(checkedDimension(config.dimension(), model.config().hiddenSize()))
        .build();
    return new Qwen2Embedder(model, tokenizer, resolved, false, SentenceTransformerModules.none());
  }

  /**
   * {@code dimension}, or {@code hidden} for 0 (all components).
   *
   * @throws IllegalArgumentException when {@code dimension} is above {@code hidden} (the output width)
   */
  public static int checkedDimension(int dimension, int hidden) {
    checkArgument(dimension <= hidden, "dimension must be in [1, %s] (the output width) or 0 for all, got %s", hidden,
        dimension);
    return dimension == 0 ? hidden : dimension;
  }

  private Qwen2Embedder(Qwen2Model model, TextTokenizer tokenizer, EmbedderConfig resolved, boolean ownsModel,
      SentenceTransformerModules modules) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.config = resolved;
    this.ownsModel = ownsModel;
    this.modules = modules;
    this.headManager = Devices.newManager(model.backend());
    for (DenseModule d : modules.dense()) {
      NDArray weight = headManager.create(d.weight(), new Shape(d.outFeatures(), d.inFeatures()));
      float[] bias = d.bias();
      dense.add(new NDArray[] {weight, bias == null ? null : headManager.create(bias, new Shape(d.outFeatures()))});
    }
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
      String full = prompt.apply(text);
      prompted.add(modules.doLowerCase() ? lowerCase(full) : full);
    }
    // sentence-transformers counts the prompt's tokens (include_prompt: false) on the prompt alone, lower-cased too
    int promptTokens = modules.includePrompt() || prompt.isNone() ? 0
        : whileOpen(() -> tokenizer.promptLength(modules.doLowerCase() ? lowerCase(prompt.prefix()) : prompt.prefix()));
    int max = config.maxLength();
    long[][] ids = whileOpen(() -> tokenizer.encode(prompted, max));
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
        if (stop.isStopRequested()) {
          throw new StoppedException("stopped after embedding " + start + " of " + order.length + " texts");
        }
        TokenBatch batch = config.pooling() == Pooling.LAST
            ? TokenBatch.leftPadded(sequences, max) : TokenBatch.rightPadded(sequences, max);
        float[][] vectors = whileOpen(() -> encodeBatch(batch, promptTokens));
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

  /** Python's {@code str.lower()} as sentence-transformers applies it (both use Unicode's full lower-case mapping). */
  private static String lowerCase(String s) {
    return s.toLowerCase(java.util.Locale.ROOT);
  }

  private float[][] encodeBatch(TokenBatch batch, int promptTokens) {
    try (NDManager manager = Devices.newManager(model.backend())) {
      NDArray hidden = model.forward(batch.ids(manager), batch.mask(manager), config.attention());
      NDArray weights = manager.create(Pooler.weights(config.pooling(), batch.mask(), batch.rows(), batch.length(),
          promptTokens), new Shape(batch.rows(), batch.length()));
      NDArray pooled = Pooler.pool(hidden, weights);
      for (int i = 0; i < dense.size(); i++) { // sentence-transformers Dense: activation(x W^T + b), in module order
        NDArray[] layer = dense.get(i);
        pooled = pooled.getNDArrayInternal().linear(pooled, layer[0], layer[1]).singletonOrThrow();
        if (modules.dense().get(i).activation() == DenseModule.Activation.TANH) {
          pooled = pooled.tanh();
        }
      }
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
        headManager.close();
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
