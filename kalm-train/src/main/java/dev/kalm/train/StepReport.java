package dev.kalm.train;

/**
 * What one optimizer step did. Immutable.
 *
 * @param step 1-based optimizer step
 * @param totalSteps steps of the whole run
 * @param epoch 0-based epoch of the step's last batch
 * @param loss the loss computed at this step, before its update (mean over accumulated micro-batches)
 * @param learningRate the learning rate the update used
 * @param gradNorm global gradient norm before clipping
 * @param tokensPerSecond real (unpadded) tokens of the step's texts per second of the step
 * @param seconds wall time of the step
 */
public record StepReport(long step, long totalSteps, int epoch, double loss, double learningRate, double gradNorm,
    double tokensPerSecond, double seconds) {}
