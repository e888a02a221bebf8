package dev.kalm.examples.demo;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Settings of the demo pipeline. Immutable. The numbers of training steps follow from {@code minutes}
 * deterministically (never from measured time), so the same seed gives the same table.
 *
 * @param minutes time budget on 2 CPU cores; scales the training steps
 * @param preset model shape to initialise ({@code small} by default, {@code tiny} for smoke tests)
 * @param seed seed of the data split, initialisation, batches and mining
 * @param output folder for the models and the report (replaced)
 * @param data a BEIR folder or training JSON Lines instead of the machine's manual pages, or null
 * @param maxPages at most this many examples are used (sampled with the seed)
 * @param testFraction share of examples held out for evaluation
 * @param maxLength tokens per text in training and evaluation
 * @param batchSize queries per batch
 * @param hardNegatives mined hard negatives per query in the final stage
 * @param learningRate peak learning rate of both stages
 * @param keepIntermediate keep the untrained models and every model's optimizer state (about 0.8 GB more for the
 *     small preset); by default the trained and the warm-up models are kept as weights only
 */
public record DemoConfig(double minutes, String preset, long seed, Path output, @Nullable Path data, int maxPages,
    double testFraction, int maxLength, int batchSize, int hardNegatives, double learningRate,
    boolean keepIntermediate) {
  public DemoConfig {
    checkArgument(minutes > 0, "minutes must be > 0, got %s", minutes);
    checkArgument(maxPages >= 10, "maxPages must be >= 10, got %s", maxPages);
    checkArgument(testFraction > 0 && testFraction < 1, "testFraction must be in (0, 1), got %s", testFraction);
    checkArgument(batchSize >= 2, "batchSize must be >= 2, got %s", batchSize);
  }

  /**
   * The defaults: 10 minutes, small preset, seed 42, 2000 pages, 15 % test, 128 tokens, batch 16, 3 negatives,
   * lr 5e-4, intermediate state not kept.
   */
  public static DemoConfig defaults(Path output) {
    return new DemoConfig(10, "small", 42, output, null, 2000, 0.15, 128, 16, 3, 5e-4, false);
  }

  /** Warm-up (in-batch negatives) steps: 10 per minute of budget, at least 2. */
  public long warmupSteps() {
    return Math.max(2, Math.round(10 * minutes));
  }

  /** Final-stage (mined negatives, Matryoshka, task batches) steps: 7 per minute, at least 2. */
  public long finalSteps() {
    return Math.max(2, Math.round(7 * minutes));
  }

  /** This config with another seed. */
  public DemoConfig withSeed(long newSeed) {
    return new DemoConfig(minutes, preset, newSeed, output, data, maxPages, testFraction, maxLength, batchSize,
        hardNegatives, learningRate, keepIntermediate);
  }
}
