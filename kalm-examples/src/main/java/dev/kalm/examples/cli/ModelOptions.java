package dev.kalm.examples.cli;

import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.EmbedderConfig;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options of every command that loads a model, as one picocli mixin: {@code --model DIR}, {@code --max-length N}
 * and {@code --device auto|cpu|gpu}; commands that embed in token-budgeted batches add {@link BatchOptions}. The
 * same names, defaults and device rule everywhere: without {@code --device}, {@link DeviceChoice#fromEnvironment()}
 * decides ({@code -Dkalm.device}, else {@code KALM_DEVICE}, else auto).
 */
final class ModelOptions {
  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "Model folder (Hugging Face Qwen2 + sentence-transformers layout, e.g. from `kalm init`).")
  Path model;

  @Option(names = "--max-length", defaultValue = "0", paramLabel = "N",
      description = "Tokens kept per text; 0 = the model folder's max_seq_length (sentence_bert_config.json), else "
          + "512 (default: ${DEFAULT-VALUE}).")
  int maxLength;

  @Option(names = "--device", converter = DeviceConverter.class, paramLabel = "auto|cpu|gpu",
      description = "Where the model runs (default: -Dkalm.device, else KALM_DEVICE, else auto).")
  @Nullable DeviceChoice device;

  /** The device asked for: {@code --device}, else the environment's choice. */
  DeviceChoice device() {
    return device != null ? device : DeviceChoice.fromEnvironment();
  }

  /** An embedder config builder with these options and {@code batch}'s applied. */
  EmbedderConfig.Builder configBuilder(BatchOptions batch) {
    return EmbedderConfig.builder().maxLength(maxLength).batchTokens(batch.batchTokens)
        .parallelBatches(batch.parallelBatches).device(device());
  }

  /** Parses {@code --device auto|cpu|gpu}. */
  static final class DeviceConverter implements CommandLine.ITypeConverter<DeviceChoice> {
    @Override
    public DeviceChoice convert(String value) {
      try {
        return DeviceChoice.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
