package dev.kalm.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import dev.kalm.core.internal.json.StrictJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every config.json field is type- and range-checked, and the message names the field and the value. */
class ConfigValidationTest {
  private static final String VALID = "{\"model_type\":\"qwen2\",\"vocab_size\":1000,\"hidden_size\":64,"
      + "\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
      + "\"rms_norm_eps\":1e-6,\"rope_theta\":1000000.0,\"max_position_embeddings\":512,\"tie_word_embeddings\":true}";

  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "num_attention_heads| 0| num_attention_heads must be >= 1, got 0",
      "num_attention_heads| 3| num_key_value_heads must divide num_attention_heads (3), got 2",
      "num_key_value_heads| 0| num_key_value_heads must be >= 1, got 0",
      "num_key_value_heads| 3| num_key_value_heads must divide num_attention_heads (4), got 3",
      "hidden_size| 66| hidden_size (66) must be divisible by num_attention_heads (4) when head_dim is not given",
      "hidden_size| -64| hidden_size must be >= 1, got -64",
      "head_dim| 15| head_dim must be even (rotary embeddings pair dimensions), got 15",
      "vocab_size| 3000000000| vocab_size must be <= 2147483647 (a 32-bit int), got 3000000000",
      "vocab_size| 1e300| vocab_size must be <= 2147483647 (a 32-bit int), got 1E+300",
      "vocab_size| 10.5| vocab_size must be an integer, got 10.5",
      "vocab_size| \"1000\"| vocab_size must be a number, got \"1000\"",
      "vocab_size| null| vocab_size is missing",
      "intermediate_size| 0| intermediate_size must be >= 1, got 0",
      "num_hidden_layers| 0| num_hidden_layers must be >= 1, got 0",
      "max_position_embeddings| 0| max_position_embeddings must be >= 1, got 0",
      "max_position_embeddings| -5| max_position_embeddings must be >= 1, got -5",
      "rope_theta| \"big\"| rope_theta must be a number, got \"big\"",
      "rope_theta| 0| rope_theta must be a finite number > 0, got 0",
      "rope_theta| 1e309| rope_theta must be a finite number > 0, got 1E+309",
      "rms_norm_eps| -1e-6| rms_norm_eps must be a finite number > 0, got -0.000001",
      "model_type| 2| model_type must be a string, got 2",
      "model_type| [\"qwen2\"]| model_type must be a string, got [\"qwen2\"]",
      "tie_word_embeddings| \"yes\"| tie_word_embeddings must be true or false, got \"yes\"",
      "is_causal| 0| is_causal must be true or false, got 0",
      "rope_parameters| 5| rope_parameters must be a JSON object, got a number (5)",
  })
  void badFieldIsNamedWithItsValue(String field, String value, String expected) throws IOException {
    JsonObject json = StrictJson.parse(VALID).getAsJsonObject();
    json.add(field, StrictJson.parse(value.strip()));
    Path file = tmp.resolve("config.json");
    Files.writeString(file, json.toString());
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Qwen2Config.read(file));
    assertEquals(file + ": " + expected.strip(), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"model_type\": qwen2}| 1: invalid JSON at column 16 near 'qwen2}': not JSON",
      "{\"model_type\":\"qwen2\",}| 1: invalid JSON at column 24 near '}': expected name",
      "[]| must hold a JSON object, got an array",
  })
  void malformedConfigIsNamedWithLine(String text, String expected) throws IOException {
    Path file = tmp.resolve("config.json");
    Files.writeString(file, text);
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> Qwen2Config.read(file));
    String sep = expected.strip().startsWith("1:") ? ":" : ": ";
    assertEquals(file + sep + expected.strip(), e.getMessage().replace(" (names and strings need double quotes;"
        + " NaN, comments, trailing commas and a second value are not allowed)", ""));
  }

  @org.junit.jupiter.api.Test
  void validConfigStillReadsAndNullMeansTheDefault() throws IOException {
    Path file = tmp.resolve("config.json");
    Files.writeString(file, VALID);
    Qwen2Config c = Qwen2Config.read(file);
    assertEquals(16, c.headDim());
    assertEquals(512, c.maxPositionEmbeddings());
    JsonObject json = StrictJson.parse(VALID).getAsJsonObject();
    for (String field : new String[] {"rope_theta", "rms_norm_eps", "num_key_value_heads", "max_position_embeddings",
        "tie_word_embeddings", "is_causal", "use_sliding_window", "rope_scaling", "head_dim"}) {
      json.add(field, com.google.gson.JsonNull.INSTANCE);
    }
    Files.writeString(file, json.toString());
    Qwen2Config defaults = Qwen2Config.read(file);
    assertEquals(10000.0, defaults.ropeTheta());
    assertEquals(4, defaults.numKvHeads());
  }
}
