package dev.kalm.train;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of a run. Immutable.
 *
 * @param output the final model folder
 * @param steps optimizer steps done in total (including those before a resume)
 * @param firstLoss loss of the first step of this run
 * @param lastLoss loss of the last step
 * @param seconds wall time of this run
 * @param bestCheckpoint the checkpoint with the best evaluation score, or null without evaluation
 * @param bestScore that score, or NaN
 * @param provenance the provenance of the final model (also in its {@value Provenance#FILE})
 */
public record TrainingResult(Path output, long steps, double firstLoss, double lastLoss, double seconds,
    @Nullable Path bestCheckpoint, double bestScore, Provenance provenance) {}
