package dev.kalm.examples.cli;

import dev.kalm.core.model.Attention;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code --attention causal|bidirectional}, as one picocli mixin for every command that runs a model ({@code embed},
 * {@code mine}, {@code eval}, {@code search}, {@code train}; {@code init} has its own, which writes the choice into the
 * new folder). Unset, the model folder's {@code config.json} decides ({@code "is_causal": false} means bidirectional).
 */
final class AttentionOption {
  @Option(names = "--attention", converter = AttentionOption.Converter.class, paramLabel = "causal|bidirectional",
      description = "Attention pattern (default: the model folder's config.json, where \"is_causal\": false means "
          + "bidirectional, else causal).")
  @Nullable Attention attention;

  /** The pattern asked for, or null for the model folder's. */
  @Nullable Attention attention() {
    return attention;
  }

  /** Parses {@code causal|bidirectional}. */
  static final class Converter implements CommandLine.ITypeConverter<Attention> {
    @Override
    public Attention convert(String value) {
      try {
        return Attention.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
