package dev.kalm.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.ndarray.NDArray;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.common.primitives.ImmutableIntArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.Versions;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.internal.embed.Qwen2Embedder;
import dev.kalm.core.internal.model.Autograd;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.model.ModelFolder;
import dev.kalm.core.model.ModelWriter;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.model.SentenceTransformerSettings;
import dev.kalm.core.safetensors.SafetensorsWriter;
import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;
import dev.kalm.core.tokenize.TextTokenizer;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.train.eval.EvaluationHook;
import dev.kalm.train.eval.StepScore;
import dev.kalm.train.internal.AdamW;
import dev.kalm.train.internal.ContrastiveStep;
import dev.kalm.train.internal.InfoNceLoss;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The contrastive {@link Trainer}: InfoNCE (+ Matryoshka) with AdamW, accumulation, GradCache, checkpoints. */
final class ContrastiveTrainer implements Trainer {
  /** Folder (inside the output) of the checkpoint with the best evaluation score. */
  static final String BEST = "checkpoint-best";
  /** Provenance field of {@link #BEST}: the main score that made it best. */
  static final String BEST_SCORE = "eval_main_score";

  private final ModelFolder base;
  private final TrainerConfig config;
  private final Qwen2Model model;
  private final TextTokenizer tokenizer;
  private final @Nullable Path resumeFrom;
  private final @Nullable EvaluationHook evaluation;
  /** The provenance of the last folder {@link #save} wrote, or null before the first. */
  private @Nullable Provenance lastSaved;

  ContrastiveTrainer(ModelFolder base, TrainerConfig config, Qwen2Model model, TextTokenizer tokenizer,
      @Nullable Path resumeFrom, @Nullable EvaluationHook evaluation) {
    this.base = base;
    this.config = config;
    this.model = model;
    this.tokenizer = tokenizer;
    this.resumeFrom = resumeFrom;
    this.evaluation = evaluation;
    model.parameters().values().forEach(Autograd::requireGradient);
  }

  @Override
  public TrainingResult train(List<TrainingExample> data, Path output, TrainingListener listener, StopSignal stop) {
    List<TrainingExample> examples = ImmutableList.copyOf(data);
    checkArgument(!examples.isEmpty(), "no training examples");
    String fingerprint = fingerprint(examples);
    List<ImmutableIntArray> firstEpoch = config.sampler().batches(examples, 0, config.seed());
    checkArgument(firstEpoch.size() >= config.gradAccumulation(),
        "%s examples make %s batches of %s, fewer than the %s micro-batches of one step", examples.size(),
        firstEpoch.size(), config.batchSize(), config.gradAccumulation());
    long totalSteps = config.steps() > 0 ? config.steps()
        : Math.max(1, (long) config.epochs() * firstEpoch.size() / config.gradAccumulation());
    long warmup = config.warmupSteps() != TrainerConfig.WARMUP_FROM_RATIO ? config.warmupSteps()
        : (long) Math.ceil(config.warmupRatio() * totalSteps);
    ExampleBatches batches = new ExampleBatches(examples, config, tokenizer);
    InfoNceLoss loss = config.matryoshkaDims().isEmpty() ? InfoNceLoss.plain(config.temperature())
        : new InfoNceLoss(config.temperature(), config.matryoshkaDims(), config.matryoshkaWeights());
    ContrastiveStep step = new ContrastiveStep(model, config.pooling(), attention(), loss, config.maxLength(),
        config.gradCacheChunk());
    long start = System.nanoTime();
    try (AdamW adam = new AdamW(model.parameters(), new AdamW.Settings(config.beta1(), config.beta2(), config.eps(),
        config.weightDecay(), config.decayNormsAndBiases()))) {
      long done = 0;
      if (resumeFrom != null) {
        TrainerState state = TrainerState.read(resumeFrom);
        checkState(state.dataFingerprint().equals(fingerprint),
            "cannot resume from %s: it was trained on other data (fingerprint %s, this data %s)", resumeFrom,
            state.dataFingerprint(), fingerprint);
        adam.restore(TrainerState.readOptimizer(resumeFrom), state.step());
        done = state.step();
      }
      double priorBest = resumeFrom != null && evaluation != null ? priorBestScore(output) : Double.NaN;
      BatchCursor cursor = new BatchCursor(examples, done * config.gradAccumulation(), firstEpoch);
      listener.onStart(totalSteps, done);
      double firstLoss = Double.NaN;
      double lastLoss = Double.NaN;
      for (long s = done + 1; s <= totalSteps; s++) {
        if (stop.isStopRequested()) {
          if (stop.isStopNowRequested()) {
            throw new StoppedException("stopped at once after step " + (s - 1) + " (no checkpoint written for it)");
          }
          Path checkpoint = s - 1 == done ? resumeFrom
              : saveStopCheckpoint(output, adam, s - 1, totalSteps, fingerprint, examples.size(), listener);
          double bestScore = bestScore(priorBest);
          return new TrainingResult(output, s - 1, firstLoss, lastLoss, (System.nanoTime() - start) / 1e9,
              Double.isNaN(bestScore) ? null : output.resolve(BEST), bestScore, true, checkpoint, lastSaved);
        }
        long stepStart = System.nanoTime();
        double lossSum = 0;
        long tokens = 0;
        for (int micro = 0; micro < config.gradAccumulation(); micro++) {
          if (stop.isStopNowRequested()) {
            throw new StoppedException("stopped at once in step " + s + " (its work is lost; the last checkpoint "
                + "written before it, if any, is the one to resume from)");
          }
          ExampleBatches.Tokens t = batches.tokens(cursor.next(), cursor.epoch());
          tokens += t.tokenCount();
          lossSum += step.accumulate(t.queries(), t.passages(), 1.0 / config.gradAccumulation());
        }
        double gradNorm = adam.gradientNorm();
        checkState(Double.isFinite(gradNorm) && Double.isFinite(lossSum),
            "loss %s or gradient norm %s is not finite at step %s (no update applied): lower the learning rate",
            lossSum / config.gradAccumulation(), gradNorm, s);
        double scale = config.gradClip() > 0 && gradNorm > config.gradClip() ? config.gradClip() / (gradNorm + 1e-6) : 1.0;
        double lr = config.learningRate() * config.schedule().factor(s - 1, totalSteps, warmup);
        adam.update(lr, scale);
        adam.zeroGradients();
        double seconds = (System.nanoTime() - stepStart) / 1e9;
        double stepLoss = lossSum / config.gradAccumulation();
        firstLoss = Double.isNaN(firstLoss) ? stepLoss : firstLoss;
        lastLoss = stepLoss;
        listener.onStep(new StepReport(s, totalSteps, cursor.epoch(), stepLoss, lr, gradNorm, tokens / seconds, seconds));
        boolean last = s == totalSteps;
        if (savesPeriodically(s) && !last) {
          Path folder = output.resolve("checkpoint-" + s);
          save(folder, adam, s, totalSteps, fingerprint, examples.size(), name -> false);
          listener.onCheckpoint(s, folder);
        }
        if (evaluation != null) {
          try (StopSignal.Binding bound = stop.bind()) {
            evaluate(s, last, output, adam, totalSteps, fingerprint, examples.size(), listener, priorBest);
          } catch (StoppedException e) {
            stop.throwIfStopNowRequested(); // else the model of step s is whole: stop (or finish) as asked
          }
        }
      }
      Provenance provenance = save(output, adam, totalSteps, totalSteps, fingerprint, examples.size(),
          name -> name.startsWith("checkpoint-"));
      listener.onCheckpoint(totalSteps, output);
      double seconds = (System.nanoTime() - start) / 1e9;
      double bestScore = bestScore(priorBest);
      return new TrainingResult(output, totalSteps, firstLoss, lastLoss, seconds,
          Double.isNaN(bestScore) ? null : output.resolve(BEST), bestScore, false, null, provenance);
    }
  }

  /** The best evaluation score of this run or, when none beat it, of the run resumed from; NaN without one. */
  private double bestScore(double priorBest) {
    Optional<StepScore> best = evaluation == null ? Optional.empty() : evaluation.best();
    return best.map(StepScore::score).filter(score -> !(score <= priorBest)).orElse(priorBest);
  }

  private boolean savesPeriodically(long step) {
    return config.saveEvery() > 0 && step % config.saveEvery() == 0;
  }

  /**
   * The checkpoint a stop after {@code step} resumes from: the periodic one of that step when there is one,
   * else a new {@code checkpoint-<step>}.
   */
  private Path saveStopCheckpoint(Path output, AdamW adam, long step, long totalSteps, String fingerprint,
      int exampleCount, TrainingListener listener) {
    Path folder = output.resolve("checkpoint-" + step);
    if (savesPeriodically(step)) {
      return folder;
    }
    save(folder, adam, step, totalSteps, fingerprint, exampleCount, name -> false);
    listener.onCheckpoint(step, folder);
    return folder;
  }

  /** Runs the evaluation when due (and after the last step); a new best score saves {@code checkpoint-best}. */
  private void evaluate(long step, boolean last, Path output, AdamW adam, long totalSteps, String fingerprint,
      int exampleCount, TrainingListener listener, double priorBest) {
    if (!last && !evaluation.isDue(step)) {
      return;
    }
    try (Embedder embedder = embedder(EmbedderConfig.builder().maxLength(config.maxLength()).build())) {
      StepScore score = last ? evaluation.evaluate(step, embedder) : evaluation.afterStep(step, () -> embedder).orElseThrow();
      listener.onEvaluation(step, evaluation.evaluator().name(), score.score());
      if (score.newBest() && score.step() == step && !(score.score() <= priorBest)) {
        Path folder = output.resolve(BEST);
        save(folder, adam, step, totalSteps, fingerprint, exampleCount, name -> false, score.score());
        listener.onCheckpoint(step, folder);
      }
    }
  }

  /**
   * The score recorded in {@code <output>/checkpoint-best} by the run being resumed, or NaN when there is none
   * (then any score of this run is a new best).
   */
  private static double priorBestScore(Path output) {
    Path file = output.resolve(BEST).resolve(Provenance.FILE);
    if (!Files.isRegularFile(file)) {
      return Double.NaN;
    }
    try {
      JsonObject provenance = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
      return provenance.has(BEST_SCORE) ? provenance.get(BEST_SCORE).getAsDouble() : Double.NaN;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read the best score of the run being resumed from " + file + ": "
          + e.getMessage(), e);
    }
  }

  /** Walks the sampler's batches epoch after epoch from a global micro-batch position. */
  private final class BatchCursor {
    private final List<TrainingExample> examples;
    private int epoch;
    private List<ImmutableIntArray> current;
    private int index;

    BatchCursor(List<TrainingExample> examples, long position, List<ImmutableIntArray> firstEpoch) {
      this.examples = examples;
      this.current = firstEpoch;
      while (position >= current.size()) {
        position -= current.size();
        epoch++;
        current = config.sampler().batches(examples, epoch, config.seed());
      }
      index = (int) position;
    }

    ImmutableIntArray next() {
      if (index == current.size()) {
        epoch++;
        current = config.sampler().batches(examples, epoch, config.seed());
        index = 0;
      }
      return current.get(index++);
    }

    int epoch() {
      return epoch;
    }
  }

  /**
   * Writes the model with trainer state and provenance; {@code keep} names entries of an existing folder to keep.
   * The thread's interrupt flag is cleared while writing (interruptible file channels refuse to write while it
   * is set, and an interrupt means "stop", which the next step boundary does) and set again afterwards.
   * Returns the provenance written.
   */
  Provenance save(Path folder, AdamW adam, long step, long totalSteps, String fingerprint, int exampleCount,
      java.util.function.Predicate<String> keep) {
    return save(folder, adam, step, totalSteps, fingerprint, exampleCount, keep, Double.NaN);
  }

  /** As above; a finite {@code evalScore} is recorded in the provenance as {@value #BEST_SCORE}. */
  private Provenance save(Path folder, AdamW adam, long step, long totalSteps, String fingerprint, int exampleCount,
      java.util.function.Predicate<String> keep, double evalScore) {
    boolean interrupted = Thread.interrupted();
    try {
      Provenance provenance = write(folder, adam, step, totalSteps, fingerprint, exampleCount, keep, evalScore);
      lastSaved = provenance;
      return provenance;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Provenance write(Path folder, AdamW adam, long step, long totalSteps, String fingerprint, int exampleCount,
      java.util.function.Predicate<String> keep, double evalScore) {
    Map<String, SafetensorsWriter.Tensor> moments = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : adam.state().entrySet()) {
      moments.put(e.getKey(), new SafetensorsWriter.Tensor(e.getValue().getShape().getShape(), e.getValue().toFloatArray()));
    }
    TrainerState state = new TrainerState(step, totalSteps, fingerprint, config.toJson());
    Provenance provenance = new Provenance(config.createdBy(), Instant.now(), base.path().toAbsolutePath(),
        resumeFrom == null ? null : resumeFrom.toAbsolutePath(), step, config.seed(), fingerprint, exampleCount,
        model.backend().name(), config, ImmutableMap.copyOf(Versions.all()));
    String query = config.queryInstruction() == null ? "" : Prompt.instruction(config.queryInstruction()).prefix();
    ModelWriter.write(folder, model.config().withAttention(attention()), model.snapshot(), base.tokenizer(),
        new SentenceTransformerSettings(config.pooling(), config.maxLength(), Prompt.raw(query)),
        provenance.toJson(evalScore).toString(), dir -> state.write(dir, moments), keep);
    return provenance;
  }

  private dev.kalm.core.model.Attention attention() {
    return config.attention() != null ? config.attention() : model.config().attention();
  }

  /** SHA-256 over every example's texts and task, in order. */
  static String fingerprint(List<TrainingExample> examples) {
    Hasher h = Hashing.sha256().newHasher();
    for (TrainingExample e : examples) {
      h.putString(e.query(), StandardCharsets.UTF_8).putInt(0);
      e.positives().forEach(p -> h.putString(p, StandardCharsets.UTF_8).putInt(1));
      e.negatives().forEach(n -> h.putString(n, StandardCharsets.UTF_8).putInt(2));
      h.putString(e.task(), StandardCharsets.UTF_8).putInt(3);
      if (e.instruction() != null) {
        h.putString(e.instruction(), StandardCharsets.UTF_8);
      }
      h.putInt(4);
    }
    return "sha256:" + h.hash();
  }

  @Override
  public Embedder embedder(EmbedderConfig embedderConfig) {
    EmbedderConfig.Builder b = embedderConfig.toBuilder()
        .maxLength(embedderConfig.maxLength() == 0 ? config.maxLength() : embedderConfig.maxLength());
    if (embedderConfig.pooling() == null) {
      b.pooling(config.pooling());
    }
    if (embedderConfig.attention() == null) {
      b.attention(attention());
    }
    return Qwen2Embedder.wrap(model, tokenizer, b.build());
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
  }
}
