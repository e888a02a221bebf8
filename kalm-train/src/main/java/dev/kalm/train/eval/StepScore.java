package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One evaluation during training. Immutable.
 *
 * @param step the training step after which the model was evaluated (>= 0)
 * @param score the main score ({@link EvaluationResult#mainScore()}); higher is better
 * @param newBest true when this score beat every earlier one of the hook (strictly; the first finite
 *     score is a new best); the trainer saves the checkpoint when it is true
 * @param result the full result
 */
public record StepScore(long step, double score, boolean newBest, EvaluationResult result) {
  public StepScore {
    checkArgument(step >= 0, "step must be >= 0, got %s", step);
    checkNotNull(result, "result");
  }
}
