package dev.kalm.core.jsonl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.kalm.core.internal.json.StrictJson;
import org.junit.jupiter.api.Test;

/** kalm embed's output line: the embedding first, then the input's other fields in input order. */
class EmbeddingLinesTest {
  @Test
  void embeddingThenOtherFieldsInInputOrder() {
    JsonObject input = StrictJson.parse("{\"id\":7,\"text\":\"a\",\"embedding\":[9],\"tag\":\"<b>\"}").getAsJsonObject();
    assertEquals("{\"id\":7,\"tag\":\"\\u003cb\\u003e\"}", EmbeddingLines.otherFieldsJson(input));
    assertEquals("{\"embedding\":[0.5,-1.0E-8],\"id\":7,\"tag\":\"\\u003cb\\u003e\"}",
        EmbeddingLines.line(new float[] {0.5f, -1e-8f}, EmbeddingLines.otherFieldsJson(input)));
  }

  @Test
  void noOtherFields() {
    JsonObject input = StrictJson.parse("{\"text\":\"a\"}").getAsJsonObject();
    assertEquals("{\"embedding\":[1.0]}", EmbeddingLines.line(new float[] {1f}, EmbeddingLines.otherFieldsJson(input)));
  }
}
