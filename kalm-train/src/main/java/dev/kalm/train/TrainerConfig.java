package dev.kalm.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.Attention;
import dev.kalm.core.embed.Pooling;
import dev.kalm.data.sampler.BatchSampler;
import dev.kalm.data.sampler.BatchSamplers;
import dev.kalm.train.optim.LrSchedule;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything a contrastive training run is configured by. Immutable; build with {@link #builder()}, which
 * validates every value and names the bad one.
 *
 * @param temperature InfoNCE temperature (KaLM's code uses 0.01; sentence-transformers 0.05)
 * @param hardNegatives hard negatives per query taken from each example (fewer when it has fewer)
 * @param matryoshkaDims Matryoshka prefix dims (empty: full vector only)
 * @param matryoshkaWeights one weight per dim
 * @param maxLength tokens kept per text
 * @param steps optimizer steps; 0 derives them from {@code epochs}
 * @param epochs passes over the data when {@code steps} is 0
 * @param learningRate peak learning rate
 * @param schedule decay after warm-up
 * @param warmupRatio warm-up as a fraction of all steps (used when {@code warmupSteps} is unset)
 * @param warmupSteps warm-up steps (0: none, the first step runs at the full learning rate), or
 *     {@link #WARMUP_FROM_RATIO} (the default) to use {@code warmupRatio}; an explicit value is never replaced
 * @param beta1 AdamW beta1
 * @param beta2 AdamW beta2
 * @param eps AdamW epsilon
 * @param weightDecay decoupled weight decay
 * @param decayNormsAndBiases also decay RMSNorm weights and biases (off, as in the Hugging Face trainer)
 * @param gradClip global gradient-norm bound, 0 for none
 * @param gradAccumulation micro-batches per optimizer step
 * @param gradCacheChunk sequences per forward pass with gradient caching, 0 for plain batches
 * @param seed seed of every random choice (batches, positives, negatives)
 * @param device where training runs
 * @param sampler how examples form batches
 * @param queryInstruction instruction for queries whose example and task name none, or null
 * @param taskInstructions instruction per task name
 * @param pooling pooling of the trained model, or null for the model folder's (mean when it names none)
 * @param attention attention of the trained model, or null for the model folder's
 * @param saveEvery write a checkpoint every this many steps (0: only at the end)
 */
public record TrainerConfig(
    double temperature,
    int hardNegatives,
    ImmutableList<Integer> matryoshkaDims,
    ImmutableList<Double> matryoshkaWeights,
    int maxLength,
    long steps,
    int epochs,
    double learningRate,
    LrSchedule schedule,
    double warmupRatio,
    long warmupSteps,
    double beta1,
    double beta2,
    double eps,
    double weightDecay,
    boolean decayNormsAndBiases,
    double gradClip,
    int gradAccumulation,
    int gradCacheChunk,
    long seed,
    DeviceChoice device,
    BatchSampler sampler,
    @Nullable String queryInstruction,
    ImmutableMap<String, String> taskInstructions,
    @Nullable Pooling pooling,
    @Nullable Attention attention,
    long saveEvery) {
  /** {@link #warmupSteps()} when unset: the warm-up is {@code ceil(warmupRatio * total steps)}. */
  public static final long WARMUP_FROM_RATIO = -1;


  public TrainerConfig {
    checkArgument(temperature > 0, "temperature must be > 0, got %s", temperature);
    checkArgument(hardNegatives >= 0, "hardNegatives must be >= 0, got %s", hardNegatives);
    checkArgument(matryoshkaDims.size() == matryoshkaWeights.size(),
        "matryoshka dims and weights must have the same length, got %s and %s", matryoshkaDims, matryoshkaWeights);
    matryoshkaDims.forEach(d -> checkArgument(d > 0, "matryoshka dims must be > 0, got %s", d));
    checkArgument(maxLength >= 1, "maxLength must be >= 1, got %s", maxLength);
    checkArgument(steps >= 0, "steps must be >= 0, got %s", steps);
    checkArgument(epochs >= 1, "epochs must be >= 1, got %s", epochs);
    checkArgument(learningRate > 0, "learningRate must be > 0, got %s", learningRate);
    checkArgument(warmupRatio >= 0 && warmupRatio <= 1, "warmupRatio must be in [0, 1], got %s", warmupRatio);
    checkArgument(warmupSteps >= 0 || warmupSteps == WARMUP_FROM_RATIO,
        "warmupSteps must be >= 0 (or WARMUP_FROM_RATIO), got %s", warmupSteps);
    checkArgument(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got %s", beta1);
    checkArgument(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got %s", beta2);
    checkArgument(eps > 0, "eps must be > 0, got %s", eps);
    checkArgument(weightDecay >= 0, "weightDecay must be >= 0, got %s", weightDecay);
    checkArgument(gradClip >= 0, "gradClip must be >= 0 (0 = off), got %s", gradClip);
    checkArgument(gradAccumulation >= 1, "gradAccumulation must be >= 1, got %s", gradAccumulation);
    checkArgument(gradCacheChunk >= 0, "gradCacheChunk must be >= 0 (0 = off), got %s", gradCacheChunk);
    checkArgument(saveEvery >= 0, "saveEvery must be >= 0, got %s", saveEvery);
    checkNotNull(schedule, "schedule");
    checkNotNull(device, "device");
    checkNotNull(sampler, "sampler");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.temperature = temperature;
    b.hardNegatives = hardNegatives;
    b.matryoshkaDims = matryoshkaDims;
    b.matryoshkaWeights = matryoshkaWeights;
    b.maxLength = maxLength;
    b.steps = steps;
    b.epochs = epochs;
    b.learningRate = learningRate;
    b.schedule = schedule;
    b.warmupRatio = warmupRatio;
    b.warmupSteps = warmupSteps;
    b.beta1 = beta1;
    b.beta2 = beta2;
    b.eps = eps;
    b.weightDecay = weightDecay;
    b.decayNormsAndBiases = decayNormsAndBiases;
    b.gradClip = gradClip;
    b.gradAccumulation = gradAccumulation;
    b.gradCacheChunk = gradCacheChunk;
    b.seed = seed;
    b.device = device;
    b.sampler = sampler;
    b.batchSize = sampler.batchSize();
    b.queryInstruction = queryInstruction;
    b.taskInstructions = taskInstructions;
    b.pooling = pooling;
    b.attention = attention;
    b.saveEvery = saveEvery;
    return b;
  }

  /** The batch size (the sampler's). */
  public int batchSize() {
    return sampler.batchSize();
  }

  /** This config as JSON, for provenance and checkpoints. */
  public JsonObject toJson() {
    JsonObject o = new Gson().toJsonTree(Map.ofEntries(
        Map.entry("temperature", temperature), Map.entry("hard_negatives", hardNegatives),
        Map.entry("matryoshka_dims", matryoshkaDims), Map.entry("matryoshka_weights", matryoshkaWeights),
        Map.entry("max_length", maxLength), Map.entry("steps", steps), Map.entry("epochs", epochs),
        Map.entry("learning_rate", learningRate), Map.entry("schedule", schedule.name().toLowerCase()),
        Map.entry("warmup_ratio", warmupRatio), Map.entry("warmup_steps", warmupSteps),
        Map.entry("adam_betas", List.of(beta1, beta2)), Map.entry("adam_eps", eps),
        Map.entry("weight_decay", weightDecay), Map.entry("decay_norms_and_biases", decayNormsAndBiases),
        Map.entry("grad_clip", gradClip), Map.entry("grad_accumulation", gradAccumulation),
        Map.entry("grad_cache_chunk", gradCacheChunk), Map.entry("seed", seed),
        Map.entry("device", device.name().toLowerCase()), Map.entry("sampler", sampler.toString()),
        Map.entry("batch_size", sampler.batchSize()), Map.entry("task_instructions", taskInstructions),
        Map.entry("save_every", saveEvery))).getAsJsonObject();
    if (pooling != null) {
      o.addProperty("pooling", pooling.name().toLowerCase());
    }
    if (queryInstruction != null) {
      o.addProperty("query_instruction", queryInstruction);
    }
    if (attention != null) {
      o.addProperty("attention", attention.name().toLowerCase());
    }
    return o;
  }

  /**
   * Named recipes: complete sets of training settings, each with where it comes from. {@link #KALM} is what
   * KaLM-Embedding's released training script ({@code scipts/train.sh} and {@code train/} in HITsz-TMG/KaLM-Embedding)
   * uses, so that a kalm run can be set beside theirs:
   *
   * <pre>{@code
   * TrainerConfig config = TrainerConfig.Recipe.KALM.builder(896).steps(1000).build();
   * }</pre>
   */
  public enum Recipe {
    KALM;

    /** KaLM's Matryoshka dims and loss weights, for its 896-wide model. */
    static final List<Integer> KALM_DIMS = List.of(896, 512, 256, 128, 64);
    static final List<Double> KALM_WEIGHTS = List.of(1.0, 0.3, 0.2, 0.1, 0.1);
    static final int KALM_BATCH = 48;
    static final double KALM_HOMOGENEOUS_RATIO = 0.5;

    /** {@link TrainerConfig#builder()} with this recipe applied for a model whose vectors are {@code modelWidth} wide. */
    public Builder builder(int modelWidth) {
      return applyTo(TrainerConfig.builder(), modelWidth);
    }

    /**
     * Sets every value of this recipe on {@code b} (see {@link #settings}). Matryoshka dims wider than the model are
     * clipped to {@code modelWidth} and a dim that then repeats keeps its first weight, so the full width always has
     * weight 1 (896 wide: 896/512/256/128/64; 256 wide: 256/128/64 with 1/0.1/0.1; 1024 wide: unchanged).
     *
     * @throws IllegalArgumentException if {@code modelWidth < 1}
     */
    public Builder applyTo(Builder b, int modelWidth) {
      checkArgument(modelWidth >= 1, "modelWidth must be >= 1, got %s", modelWidth);
      java.util.LinkedHashMap<Integer, Double> mrl = new java.util.LinkedHashMap<>();
      for (int i = 0; i < KALM_DIMS.size(); i++) {
        mrl.putIfAbsent(Math.min(KALM_DIMS.get(i), modelWidth), KALM_WEIGHTS.get(i));
      }
      return b.temperature(0.01).hardNegatives(7)
          .matryoshka(List.copyOf(mrl.keySet()), List.copyOf(mrl.values()))
          .sampler(BatchSamplers.semiHomogeneous(KALM_BATCH, KALM_HOMOGENEOUS_RATIO, true))
          .pooling(Pooling.MEAN).learningRate(1e-5).schedule(LrSchedule.LINEAR).warmupRatio(0.1).epochs(1)
          .maxLength(512).weightDecay(0.0).gradClip(1.0).adamBetas(0.9, 0.999).adamEps(1e-8);
    }

    /** Every setting of this recipe as {@code "name = value (source)"}, for help texts and docs. */
    public List<String> settings() {
      String script = "KaLM scipts/train.sh";
      return List.of(
          "temperature = 0.01 (" + script + " --temperature 0.01)",
          "hard negatives = 7 (" + script + " --train_group_size 8: 1 positive + 7 negatives)",
          "matryoshka dims = 896,512,256,128,64, weights = 1,0.3,0.2,0.1,0.1, clipped to the model width ("
              + script + " --matryoshka_dims/--matryoshka_weights)",
          "batch size = 48 (" + script + " per_device_train_batch_size=48; one device, no cross-device negatives)",
          "sampler = semi-homogeneous task batches, ratio 0.5, incomplete last batch dropped (KaLM train/data.py "
              + "DistributedInTaskSampler with --dataloader_drop_last True; ratio: kalm's choice, as KaLM's arguments.py "
              + "default is 1.0 and the released train.sh turns task batching off with --sample_intask_neg False)",
          "pooling = mean (" + script + " sentence_pooling_method=mean)",
          "learning rate = 1e-5, warm-up ratio = 0.1, epochs = 1, max length = 512 (" + script + ")",
          "schedule = linear, weight decay = 0.0, gradient clip = 1.0, AdamW betas 0.9/0.999, eps 1e-8 "
              + "(transformers TrainingArguments defaults; train.sh sets none of them)");
    }
  }

  /** Builder with KaLM-like defaults; every setter is optional. */
  public static final class Builder {
    private double temperature = 0.05;
    private int hardNegatives = 7;
    private ImmutableList<Integer> matryoshkaDims = ImmutableList.of();
    private ImmutableList<Double> matryoshkaWeights = ImmutableList.of();
    private int maxLength = 512;
    private long steps;
    private int epochs = 1;
    private double learningRate = 1e-5;
    private LrSchedule schedule = LrSchedule.LINEAR;
    private double warmupRatio = 0.1;
    private long warmupSteps = WARMUP_FROM_RATIO;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay = 0.01;
    private boolean decayNormsAndBiases;
    private double gradClip = 1.0;
    private int gradAccumulation = 1;
    private int gradCacheChunk;
    private long seed = 42;
    private DeviceChoice device = DeviceChoice.fromEnvironment();
    private BatchSampler sampler;
    private int batchSize = 16;
    private String queryInstruction;
    private ImmutableMap<String, String> taskInstructions = ImmutableMap.of();
    private Pooling pooling;
    private Attention attention;
    private long saveEvery;

    private Builder() {}

    public Builder temperature(double v) { temperature = v; return this; }
    public Builder hardNegatives(int v) { hardNegatives = v; return this; }
    /** Matryoshka prefix dims and their loss weights. */
    public Builder matryoshka(List<Integer> dims, List<Double> weights) {
      matryoshkaDims = ImmutableList.copyOf(dims);
      matryoshkaWeights = ImmutableList.copyOf(weights);
      return this;
    }
    public Builder maxLength(int v) { maxLength = v; return this; }
    public Builder steps(long v) { steps = v; return this; }
    public Builder epochs(int v) { epochs = v; return this; }
    public Builder learningRate(double v) { learningRate = v; return this; }
    public Builder schedule(LrSchedule v) { schedule = v; return this; }
    public Builder warmupRatio(double v) { warmupRatio = v; warmupSteps = WARMUP_FROM_RATIO; return this; }
    public Builder warmupSteps(long v) { warmupSteps = v; return this; }
    public Builder adamBetas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
    public Builder adamEps(double v) { eps = v; return this; }
    public Builder weightDecay(double v) { weightDecay = v; return this; }
    public Builder decayNormsAndBiases(boolean v) { decayNormsAndBiases = v; return this; }
    public Builder gradClip(double v) { gradClip = v; return this; }
    public Builder gradAccumulation(int v) { gradAccumulation = v; return this; }
    public Builder gradCacheChunk(int v) { gradCacheChunk = v; return this; }
    public Builder seed(long v) { seed = v; return this; }
    public Builder device(DeviceChoice v) { device = v; return this; }
    /** Batch size of the default (random) sampler; ignored when a sampler is set. */
    public Builder batchSize(int v) { batchSize = v; sampler = null; return this; }
    public Builder sampler(BatchSampler v) { sampler = v; return this; }
    public Builder queryInstruction(@Nullable String v) { queryInstruction = v; return this; }
    public Builder taskInstructions(Map<String, String> v) { taskInstructions = ImmutableMap.copyOf(v); return this; }
    /** Pooling of the trained model; null (the default) takes the model folder's, mean when it names none. */
    public Builder pooling(@Nullable Pooling v) { pooling = v; return this; }
    public Builder attention(@Nullable Attention v) { attention = v; return this; }
    public Builder saveEvery(long v) { saveEvery = v; return this; }

    /** @throws IllegalArgumentException naming the first bad value */
    public TrainerConfig build() {
      checkArgument(batchSize >= 1, "batchSize must be >= 1, got %s", batchSize);
      BatchSampler s = sampler != null ? sampler : BatchSamplers.random(batchSize, false);
      return new TrainerConfig(temperature, hardNegatives, matryoshkaDims, matryoshkaWeights, maxLength, steps, epochs,
          learningRate, schedule, warmupRatio, warmupSteps, beta1, beta2, eps, weightDecay, decayNormsAndBiases,
          gradClip, gradAccumulation, gradCacheChunk, seed, device, s, queryInstruction, taskInstructions, pooling,
          attention, saveEvery);
    }
  }
}
