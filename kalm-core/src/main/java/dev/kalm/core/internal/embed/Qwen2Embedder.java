package dev.kalm.core.internal.embed;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import com.google.common.base.Throwables;
import dev.kalm.core.internal.device.Devices;
import dev.kalm.core.internal.runtime.NativeRuntime;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@link Embedder} over a {@link Qwen2Model}: tokenise (truncating as transformers does, keeping the
 * post-processor's special tokens), sort by length, cut batches by a token budget ({@link #batches}), pad to the
 * longest in the batch (on the left for last-token pooling, as Qwen3-Embedding and gte-Qwen2 do, else on the
 * right), encode without gradient on a per-batch manager, pool, truncate, normalise, copy out once per batch,
 * restore input order. On CPU, a call with several batches runs them side by side on worker threads (see
 * {@link EmbedderConfig#parallelBatches()}), its batches cut about even; the vectors are those of one batch at a
 * time to float rounding (a text's vector does not depend on its batch).
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
  private @Nullable ThreadPoolExecutor workers; // guarded by this
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
    Qwen2Embedder embedder = new Qwen2Embedder(model, tokenizer, resolved, true, modules);
    if (embedder.parallelBatches() > 1) {
      // the workers' one-time native set-up (libtorch's per-thread start, their thread counts) runs now, beside
      // the rest of loading, not inside the first call with several batches
      embedder.workers().prestartAllCoreThreads();
    }
    return embedder;
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
    int[] lengths = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      lengths[i] = Math.max(1, Math.min(ids[order[i]].length, max));
    }
    int parallel = parallelBatches();
    List<int[]> batches = batches(lengths, config.batchTokens(), parallel);
    if (parallel > 1 && batches.size() > 1) {
      embedSideBySide(batches, order, ids, promptTokens, out, stop, progress);
      return out;
    }
    boolean gradMode = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      for (int[] b : batches) {
        if (stop.isStopRequested()) {
          throw new StoppedException("stopped after embedding " + b[0] + " of " + order.length + " texts");
        }
        float[][] vectors = whileOpen(() -> encodeBatch(tokenBatch(b, order, ids), promptTokens));
        for (int j = 0; j < b[1]; j++) {
          out[order[b[0] + j]] = vectors[j];
        }
        progress.progress(b[0] + b[1], order.length);
      }
    } finally {
      JniUtils.setGradMode(gradMode);
    }
    return out;
  }

  /**
   * The batches of texts with padded {@code lengths} (longest first), as {first index, texts}: each holds as many
   * texts as fit a budget of tokens padded to its first (at least one). With one batch at a time the budget is
   * {@code budget}. Where {@code parallel} batches run at once, the call's batches number a multiple of
   * {@code parallel} (as many as {@code budget} needs, rounded up) and the budget is the smallest that cuts no
   * more, so the batches come out about even: otherwise workers idle while the last, or a small last, batch runs
   * (7 batches on 2 workers take as long as 8; 1,024 + 100 tokens as long as 1,024, 562 + 562 about half that).
   */
  static List<int[]> batches(int[] lengths, int budget, int parallel) {
    List<int[]> full = cut(lengths, budget);
    if (parallel <= 1 || full.size() <= 1) {
      return full; // one batch runs on the caller's thread with all of libtorch's threads
    }
    int most = (full.size() + parallel - 1) / parallel * parallel;
    int low = 1; // the smallest budget that cuts at most `most` batches (the count only grows as the budget shrinks)
    int high = budget;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (cut(lengths, mid).size() <= most) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    return cut(lengths, low);
  }

  private static List<int[]> cut(int[] lengths, int budget) {
    List<int[]> batches = new ArrayList<>();
    for (int start = 0; start < lengths.length; ) {
      int size = Math.max(1, Math.min(lengths.length - start, budget / lengths[start]));
      batches.add(new int[] {start, size});
      start += size;
    }
    return batches;
  }

  /**
   * Runs the batches on the worker threads, at most {@link #parallelBatches()} at once, and takes their results in
   * order (progress counts the texts of the batches done in order). A stop request or an interrupt of the calling
   * thread lets the batches running finish, skips the rest and throws {@link StoppedException}; a failing batch
   * cancels the rest and its exception is rethrown.
   */
  private void embedSideBySide(List<int[]> batches, Integer[] order, long[][] ids, int promptTokens, float[][] out,
      StopSignal stop, ProgressListener progress) {
    ExecutorService pool = workers();
    List<Future<float[][]>> results = new ArrayList<>(batches.size());
    for (int[] b : batches) {
      try {
        results.add(pool.submit(() -> stop.isStopRequested() ? null
            : whileOpen(() -> encodeBatch(tokenBatch(b, order, ids), promptTokens))));
      } catch (RejectedExecutionException e) { // closed while submitting
        results.forEach(f -> f.cancel(false));
        throw new IllegalStateException("embedder is closed", e);
      }
    }
    int done = 0;
    try {
      for (int i = 0; i < batches.size(); i++) {
        checkOpen(); // closed and stopped are checked between batches as in the sequential case, done ahead or not
        float[][] vectors = null;
        if (!stop.isStopRequested()) {
          try {
            vectors = results.get(i).get();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        if (vectors == null) {
          throw new StoppedException("stopped after embedding " + done + " of " + order.length + " texts");
        }
        int[] b = batches.get(i);
        for (int j = 0; j < b[1]; j++) {
          out[order[b[0] + j]] = vectors[j];
        }
        done = b[0] + b[1];
        progress.progress(done, order.length);
      }
    } catch (ExecutionException e) {
      Throwables.throwIfUnchecked(e.getCause());
      throw new IllegalStateException(e.getCause());
    } finally {
      for (Future<float[][]> f : results) {
        f.cancel(false); // batches not started yet are skipped; running ones finish (close waits for them)
      }
    }
  }

  /** The batch {@code b} ({first index into order, texts}), padded for the pooling. */
  private TokenBatch tokenBatch(int[] b, Integer[] order, long[][] ids) {
    List<long[]> sequences = new ArrayList<>(b[1]);
    for (int j = b[0]; j < b[0] + b[1]; j++) {
      sequences.add(ids[order[j]]);
    }
    return config.pooling() == Pooling.LAST
        ? TokenBatch.leftPadded(sequences, config.maxLength()) : TokenBatch.rightPadded(sequences, config.maxLength());
  }

  /** Batches run at once: 1 on GPU, else the configured number or {@link EmbedderConfig#autoParallelBatches}. */
  private int parallelBatches() {
    if (!model.backend().name().equals("cpu")) {
      return 1;
    }
    return config.parallelBatches() > 0 ? config.parallelBatches()
        : EmbedderConfig.autoParallelBatches(Runtime.getRuntime().availableProcessors());
  }

  /**
   * The worker threads, made on first use (an embedder from {@link #owning} starts them at once): daemon threads,
   * each running libtorch with {@code max(1, cores / parallelBatches)} threads and without gradient recording.
   */
  private synchronized ThreadPoolExecutor workers() {
    checkOpen();
    if (workers == null) {
      int parallel = parallelBatches();
      int threadsEach = Math.max(1, Runtime.getRuntime().availableProcessors() / parallel);
      AtomicInteger count = new AtomicInteger();
      ThreadFactory factory = task -> {
        Thread thread = new Thread(() -> {
          NativeRuntime.limitCurrentThread(threadsEach);
          JniUtils.setGradMode(false);
          task.run();
        }, "kalm-embed-" + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      };
      workers = new ThreadPoolExecutor(parallel, parallel, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), factory);
    }
    return workers;
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
    synchronized (this) {
      if (workers != null) {
        workers.shutdown(); // batches running finish below before the model is freed; queued ones are cancelled
      }
    }
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
