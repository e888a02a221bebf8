package dev.kalm.train;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of a run. Immutable.
 *
 * @param output the final model folder (when {@code stopped}, it holds only checkpoints)
 * @param steps optimizer steps done in total (including those before a resume)
 * @param firstLoss loss of the first step of this run, NaN when it did no step
 * @param lastLoss loss of the last step, NaN when it did no step
 * @param seconds wall time of this run
 * @param bestCheckpoint the checkpoint with the best evaluation score, or null without evaluation
 * @param bestScore that score, or NaN
 * @param stopped true when the run was stopped (a {@link dev.kalm.core.stop.StopSignal} or an interrupt)
 *     before its last step; false when it completed
 * @param checkpoint when stopped: the checkpoint holding step {@code steps}, to pass to
 *     {@link Trainers#resume} (or {@code kalm train --resume}); null when the run completed, or was stopped
 *     before its first step without having been resumed
 */
public record TrainingResult(Path output, long steps, double firstLoss, double lastLoss, double seconds,
    @Nullable Path bestCheckpoint, double bestScore, boolean stopped, @Nullable Path checkpoint) {}
