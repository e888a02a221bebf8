package dev.kalm.core.model;

import com.google.gson.JsonObject;
import java.nio.file.Path;

/**
 * Type and range checks of every {@code config.json} field {@link Qwen2Config#fromJson} reads, run before it
 * narrows them, so a bad value gets a message naming the field and the value ({@code config.json:
 * num_attention_heads must be >= 1, got 0}) instead of a division by zero or a wrapped-around int.
 */
final class ConfigValidator {
  private ConfigValidator() {}

  /**
   * Checks the types of the fields read before the model type is known ({@code model_type} a string, the flags
   * booleans, {@code rope_parameters} an object) and returns a copy of {@code json} without null members (at the
   * top and in {@code rope_parameters}): as in transformers, {@code null} means "use the default".
   *
   * @throws ModelFormatException naming {@code file}, the field and the bad value
   */
  static JsonObject checkTypes(JsonObject json, Path file) {
    JsonObject copy = withoutNulls(json);
    ModelJson.string(copy, "model_type", null, file);
    for (String flag : new String[] {"use_sliding_window", "tie_word_embeddings", "is_causal", "attention_bias"}) {
      ModelJson.bool(copy, flag, false, file);
    }
    JsonObject rope = ModelJson.object(copy, "rope_parameters", file);
    if (rope != null) {
      copy.add("rope_parameters", withoutNulls(rope));
    }
    return copy;
  }

  private static JsonObject withoutNulls(JsonObject json) {
    JsonObject copy = new JsonObject();
    json.entrySet().stream().filter(e -> !e.getValue().isJsonNull()).forEach(e -> copy.add(e.getKey(), e.getValue()));
    return copy;
  }

  /**
   * Every shape and number: present where required, an integer or finite number in range, consistent.
   *
   * @throws ModelFormatException naming {@code file}, the field and the bad value
   */
  static void checkRanges(JsonObject json, Path file) {
    String type = ModelJson.string(json, "model_type", null, file);
    ModelJson.integer(json, "vocab_size", 1, null, file);
    int hidden = ModelJson.integer(json, "hidden_size", 1, null, file);
    ModelJson.integer(json, "intermediate_size", 1, null, file);
    ModelJson.integer(json, "num_hidden_layers", 1, null, file);
    int heads = ModelJson.integer(json, "num_attention_heads", 1, null, file);
    int kvHeads = ModelJson.integer(json, "num_key_value_heads", 1, heads, file);
    if (heads % kvHeads != 0) {
      throw new ModelFormatException(file, "num_key_value_heads must divide num_attention_heads (" + heads + "), got "
          + kvHeads);
    }
    if (ModelJson.has(json, "head_dim")) {
      int headDim = ModelJson.integer(json, "head_dim", 2, null, file);
      if (headDim % 2 != 0) {
        throw new ModelFormatException(file, "head_dim must be even (rotary embeddings pair dimensions), got " + headDim);
      }
    } else if (!type.equalsIgnoreCase(ModelType.QWEN3.configName()) && hidden % heads != 0) {
      // Qwen3's head_dim defaults to 128, not hidden / heads
      throw new ModelFormatException(file, "hidden_size (" + hidden + ") must be divisible by num_attention_heads ("
          + heads + ") when head_dim is not given");
    }
    ModelJson.integer(json, "max_position_embeddings", 1, 1, file);
    ModelJson.positive(json, "rms_norm_eps", 1e-6, file);
    ModelJson.positive(json, "rope_theta", 1, file);
    JsonObject rope = ModelJson.object(json, "rope_parameters", file);
    if (rope != null) {
      ModelJson.positive(rope, "rope_theta", 1, file);
      ModelJson.string(rope, "rope_type", "default", file);
    }
  }
}
