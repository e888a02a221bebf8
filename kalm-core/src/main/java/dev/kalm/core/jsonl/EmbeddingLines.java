package dev.kalm.core.jsonl;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;

/**
 * The output line of {@code kalm embed} (and of the Spark embed job): {@code {"embedding":[...]}} followed by
 * the input line's other fields, in their input order. The one place that writes it, so both front ends write
 * the same bytes.
 */
public final class EmbeddingLines {
  private static final Gson GSON = new Gson();

  private EmbeddingLines() {}

  /** The fields of an input line that go to the output: all but {@code text} and {@code embedding}, in order. */
  private static JsonObject otherFields(JsonObject input) {
    JsonObject rest = new JsonObject();
    for (Map.Entry<String, JsonElement> field : input.entrySet()) {
      if (!field.getKey().equals("text") && !field.getKey().equals("embedding")) {
        rest.add(field.getKey(), field.getValue());
      }
    }
    return rest;
  }

  /**
   * The fields of {@code input} that go to the output (all but {@code text} and {@code embedding}, in order) as
   * the text of one JSON object, the form {@link #line} takes.
   */
  public static String otherFieldsJson(JsonLine input) {
    return otherFieldsJson(input.json());
  }

  /** {@link #otherFieldsJson(JsonLine)} over a parsed object. */
  static String otherFieldsJson(JsonObject input) {
    return GSON.toJson(otherFields(input));
  }

  /**
   * One output line without its newline: {@code {"embedding":[v0,v1,...]}} with each component as Java's
   * {@code Float.toString} writes it, then the members of {@code otherFieldsJson} (a JSON object's text, as
   * {@link #otherFieldsJson} gives; {@code {}} for none). The caller checks that the components are finite.
   */
  public static String line(float[] embedding, String otherFieldsJson) {
    StringBuilder line = new StringBuilder(16 * embedding.length + otherFieldsJson.length() + 16).append("{\"embedding\":[");
    for (int j = 0; j < embedding.length; j++) {
      if (j > 0) {
        line.append(',');
      }
      line.append(embedding[j]);
    }
    line.append(']');
    if (otherFieldsJson.length() > 2) {
      line.append(',').append(otherFieldsJson, 1, otherFieldsJson.length() - 1);
    }
    return line.append('}').toString();
  }
}
