package dev.kalm.train;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Work the trainer runs after optimizer steps (evaluation and keeping the best checkpoint). */
interface TrainingHook {
  /** Called after step {@code step}; {@code last} for the final step. */
  void afterStep(ContrastiveTrainer trainer, long step, boolean last, Path output, TrainingListener listener);

  /** The best checkpoint so far, or null. */
  @Nullable Path bestCheckpoint();

  /** Its score, or NaN. */
  double bestScore();
}
