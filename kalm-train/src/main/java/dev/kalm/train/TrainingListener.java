package dev.kalm.train;

import java.nio.file.Path;

/**
 * Receives training progress; called on the training thread, so keep it cheap. Every method has an empty
 * default.
 */
public interface TrainingListener {
  /** A listener that ignores everything. */
  TrainingListener NONE = new TrainingListener() {};

  /** Before the first step: the number of steps the run will take and the step it starts after (resume). */
  default void onStart(long totalSteps, long startStep) {}

  /** After each optimizer step. */
  default void onStep(StepReport report) {}

  /** After a checkpoint folder was written. */
  default void onCheckpoint(long step, Path folder) {}

  /** After an evaluation ran: the evaluator's name and its main score. */
  default void onEvaluation(long step, String name, double mainScore) {}
}
