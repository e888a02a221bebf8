package dev.kalm.core.embed;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.model.Attention;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.model.Prompt;
import org.jspecify.annotations.Nullable;

/**
 * How an {@link Embedder} runs. Immutable; build with {@link #builder()}.
 *
 * <p>{@code pooling}, {@code attention} and {@code prompt} may be {@code null}, and {@code maxLength} 0, meaning
 * "as the model folder says" (sentence-transformers files, {@code config.json}), falling back to mean pooling,
 * causal attention, no prompt and {@value #DEFAULT_MAX_LENGTH} tokens. {@code dimension} 0 means the full width
 * (the hidden size, or the last Dense module's output). An embedder's
 * {@link Embedder#config()} returns the config with those defaults resolved.
 *
 * @param pooling token pooling, or null for the folder's
 * @param normalize L2-normalise the (truncated) vectors
 * @param maxLength tokens kept per text, in [1, 32768], or 0 for the folder's {@code max_seq_length}
 *     ({@code sentence_bert_config.json}), else {@value #DEFAULT_MAX_LENGTH}
 * @param dimension Matryoshka dimension, 0 for the full hidden size
 * @param prompt prompt put before every text, or null for the folder's default prompt
 * @param promptName a prompt named in {@code config_sentence_transformers.json}, or null; wins over
 *     {@code prompt}
 * @param batchTokens token budget of one batch (padded length x texts), at least {@code maxLength}; where several
 *     batches run at once, a call's batches are cut about even, up to this budget, in a multiple of their number
 * @param parallelBatches on CPU, how many batches of one call run at once, each on its own thread with
 *     {@code cores / parallelBatches} libtorch threads; 0 = {@link #autoParallelBatches}. A call whose texts fit
 *     in one batch runs it on the caller's thread with libtorch's default threads. Ignored on GPU.
 * @param device where the model runs
 * @param attention attention pattern, or null for the folder's
 */
public record EmbedderConfig(
    @Nullable Pooling pooling,
    boolean normalize,
    int maxLength,
    int dimension,
    @Nullable Prompt prompt,
    @Nullable String promptName,
    int batchTokens,
    int parallelBatches,
    DeviceChoice device,
    @Nullable Attention attention) {

  public static final int DEFAULT_MAX_LENGTH = 512;
  /**
   * Chosen by measurement (2 cores, bench/peer-benchmark.sh texts). One batch at a time, for 48 qwen2-0.5b
   * documents 1,024, 2,048, 4,096 and 8,192 tokens took 10.4, 10.2, 11.5 and 14.5 s; with two batches side by
   * side (the default on 2 cores) 1,024 took 10.0 s at 2.82 GB peak and 2,048 10.8-11.8 s at 3.1 GB; for the small
   * preset 512-2,048 were within noise of each other, the peak growing with the budget (0.66, 0.70, 0.84 GB).
   * Raise it on GPU, where larger batches pay.
   */
  public static final int DEFAULT_BATCH_TOKENS = 1024;

  public EmbedderConfig {
    checkArgument(maxLength >= 0 && maxLength <= 32768,
        "maxLength must be in [1, 32768] (or 0 for the model folder's), got %s", maxLength);
    checkArgument(dimension >= 0, "dimension must be >= 0 (0 = full), got %s", dimension);
    checkArgument(batchTokens >= 1, "batchTokens must be >= 1, got %s", batchTokens);
    checkArgument(parallelBatches >= 0, "parallelBatches must be >= 0 (0 = auto), got %s", parallelBatches);
    checkNotNull(device, "device");
  }

  /**
   * The number of batches run at once for {@code parallelBatches} 0 on a machine with {@code cores} cores:
   * {@code min(cores, 4)}. One batch per core where cores are few: the operations of a batch of a small model or
   * of short texts are too short to keep several cores busy (measured on 2 cores: 2 batches of 1 thread each
   * against 1 batch of 2 threads, 1.25x for the small preset, 1.33x for qwen2-0.5b); at most 4 at once, so that
   * activation memory stays at 4 batches.
   */
  public static int autoParallelBatches(int cores) {
    return Math.max(1, Math.min(cores, 4));
  }

  /**
   * Defaults: folder's pooling, prompt and max length (512 when it sets none), normalised, full dimension, device
   * from the environment.
   */
  public static EmbedderConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The prompt, or {@link Prompt#none()} when unset (an embedder's resolved config always has one). */
  public Prompt effectivePrompt() {
    return prompt == null ? Prompt.none() : prompt;
  }

  /** A builder initialised with this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.pooling = pooling;
    b.normalize = normalize;
    b.maxLength = maxLength;
    b.dimension = dimension;
    b.prompt = prompt;
    b.promptName = promptName;
    b.batchTokens = batchTokens;
    b.parallelBatches = parallelBatches;
    b.device = device;
    b.attention = attention;
    return b;
  }

  /** Builder for {@link EmbedderConfig}; every setter is optional. */
  public static final class Builder {
    private @Nullable Pooling pooling;
    private boolean normalize = true;
    private int maxLength; // 0: the folder's max_seq_length, else DEFAULT_MAX_LENGTH
    private int dimension;
    private @Nullable Prompt prompt;
    private @Nullable String promptName;
    private int batchTokens = DEFAULT_BATCH_TOKENS;
    private int parallelBatches;
    private DeviceChoice device = DeviceChoice.fromEnvironment();
    private @Nullable Attention attention;

    private Builder() {}

    public Builder pooling(@Nullable Pooling pooling) { this.pooling = pooling; return this; }
    public Builder normalize(boolean normalize) { this.normalize = normalize; return this; }
    public Builder maxLength(int maxLength) { this.maxLength = maxLength; return this; }
    public Builder dimension(int dimension) { this.dimension = dimension; return this; }
    public Builder prompt(@Nullable Prompt prompt) { this.prompt = prompt; return this; }
    public Builder promptName(@Nullable String promptName) { this.promptName = promptName; return this; }
    public Builder batchTokens(int batchTokens) { this.batchTokens = batchTokens; return this; }
    public Builder parallelBatches(int parallelBatches) { this.parallelBatches = parallelBatches; return this; }
    public Builder device(DeviceChoice device) { this.device = device; return this; }
    public Builder attention(@Nullable Attention attention) { this.attention = attention; return this; }

    /** @throws IllegalArgumentException naming the bad value */
    public EmbedderConfig build() {
      return new EmbedderConfig(pooling, normalize, maxLength, dimension, prompt, promptName,
          batchTokens, parallelBatches, device, attention);
    }
  }
}
