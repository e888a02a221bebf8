package dev.kalm.examples.cli;

import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.EmbedderConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options every command that loads a model shares: {@code --model --max-length --batch-tokens --device}. */
final class ModelOptions {
  @Option(names = "--model", required = true, description = "model folder (Hugging Face layout, e.g. from `kalm init`)")
  Path model;

  @Option(names = "--max-length", defaultValue = "512", description = "tokens kept per text (default: ${DEFAULT-VALUE})")
  int maxLength;

  @Option(names = "--batch-tokens", defaultValue = "16384", converter = Counts.PositiveInt.class,
      description = "token budget of one batch, padded length x texts (default: ${DEFAULT-VALUE})")
  int batchTokens;

  @Option(names = "--device", converter = DeviceOption.class, description = "auto | cpu | gpu (default: kalm.device / KALM_DEVICE / auto)")
  DeviceChoice device;

  /** A config builder with these options applied. */
  EmbedderConfig.Builder configBuilder() {
    EmbedderConfig.Builder b = EmbedderConfig.builder().maxLength(maxLength).batchTokens(batchTokens);
    return device == null ? b : b.device(device);
  }
}
