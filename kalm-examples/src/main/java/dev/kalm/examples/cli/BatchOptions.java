package dev.kalm.examples.cli;

import dev.kalm.core.embed.EmbedderConfig;
import picocli.CommandLine.Option;

/**
 * {@code --batch-tokens N} and {@code --parallel-batches N} as a picocli mixin, for every command that embeds texts in token-budgeted batches
 * ({@code embed}, {@code search}, {@code eval}, {@code mine}, {@code bench}); {@code train} batches by
 * {@code --batch-size} instead.
 */
final class BatchOptions {
  @Option(names = "--batch-tokens", defaultValue = "" + EmbedderConfig.DEFAULT_BATCH_TOKENS, paramLabel = "N",
      converter = Counts.PositiveInt.class,
      description = "Token budget of one embedding batch, padded length x texts (default: ${DEFAULT-VALUE}).")
  int batchTokens;

  @Option(names = "--parallel-batches", defaultValue = "0", paramLabel = "N", converter = Counts.NonNegativeInt.class,
      description = "On CPU, embedding batches run at once, each on its own cores; 0 = min(cores, 4) "
          + "(default: ${DEFAULT-VALUE}).")
  int parallelBatches;
}
