package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/** Factories of {@link EvaluationHook}s. */
public final class EvaluationHooks {
  private EvaluationHooks() {}

  /**
   * A hook running {@code evaluator} after every {@code steps} steps, logging each main score and the
   * best so far at INFO (SLF4J logger {@code dev.kalm.train.eval.EvaluationHook}).
   *
   * @throws IllegalArgumentException when {@code steps < 1}
   */
  public static EvaluationHook every(int steps, Evaluator evaluator) {
    checkArgument(steps >= 1, "steps must be >= 1, got %s", steps);
    return new PeriodicEvaluationHook(steps, checkNotNull(evaluator, "evaluator"));
  }
}
