package dev.kalm.train.eval;

import com.google.common.collect.ImmutableList;
import dev.kalm.core.embed.Embedder;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs an {@link Evaluator} on the model being trained every N steps and keeps score: the trainer calls
 * {@link #afterStep} after each optimizer step and saves a checkpoint when the returned {@link StepScore}
 * is a {@linkplain StepScore#newBest() new best}. Create with {@link EvaluationHooks}.
 *
 * <p>Higher main scores are better (true of every task here); a NaN score is recorded but never best; on
 * equal scores the earlier step stays best. Steps passed in must not decrease. The hook never closes the
 * embedder. Implementations are thread-safe (calls are serialised).
 *
 * <pre>{@code
 * EvaluationHook hook = EvaluationHooks.every(500, Evaluators.retrieval(dev, "test", EvaluationConfig.defaults()));
 * for (long step = 1; step <= steps; step++) {
 *   trainOneStep();
 *   hook.afterStep(step, () -> currentEmbedder).filter(StepScore::newBest).ifPresent(s -> saveCheckpoint(s.step()));
 * }
 * hook.evaluate(steps, currentEmbedder); // the final model, unless step `steps` was just evaluated
 * }</pre>
 */
public interface EvaluationHook {

  /** The evaluator run. */
  Evaluator evaluator();

  /** Steps between evaluations. */
  int everySteps();

  /** True when {@code step} is a positive multiple of {@link #everySteps()}. */
  boolean isDue(long step);

  /**
   * Evaluates when {@code step} is due; {@code embedder} is only asked for then.
   *
   * @return the step's score when it ran, else empty
   * @throws IllegalArgumentException when {@code step} is below an earlier step
   */
  Optional<StepScore> afterStep(long step, Supplier<? extends Embedder> embedder);

  /**
   * Evaluates now, whatever the schedule (e.g. after the last step). When {@code step} was already
   * evaluated, returns that record without evaluating again.
   *
   * @throws IllegalArgumentException when {@code step} is below an earlier step
   */
  StepScore evaluate(long step, Embedder embedder);

  /** The best evaluation so far (the earliest among equal scores), empty before the first finite score. */
  Optional<StepScore> best();

  /** Every evaluation so far, in step order. */
  ImmutableList<StepScore> history();
}
