package dev.kalm.core.jsonl;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One parsed line of a JSON Lines file with typed field accessors whose errors name the file, line and
 * field. Immutable view; {@link #json()} gives the underlying object (do not modify it).
 */
public record JsonLine(String source, long line, JsonObject json) {

  /** The field as a string. @throws JsonLinesException when absent or not a string */
  public String string(String field) {
    JsonElement e = json.get(field);
    if (e == null || e.isJsonNull()) {
      throw error(field, "missing");
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw error(field, "must be a string, got " + StrictJson.kind(e, false));
    }
    return e.getAsString();
  }

  /** The field as a string, or {@code fallback} when absent or null. @throws JsonLinesException when not a string */
  public @Nullable String optString(String field, @Nullable String fallback) {
    JsonElement e = json.get(field);
    return e == null || e.isJsonNull() ? fallback : string(field);
  }

  /** The field as a number. @throws JsonLinesException when absent or not a number */
  public double number(String field) {
    JsonElement e = json.get(field);
    if (e == null || e.isJsonNull()) {
      throw error(field, "missing");
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      // Accept numbers written as strings ("0.5"), as some exporters do.
      if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
        try {
          return Double.parseDouble(e.getAsString().trim());
        } catch (NumberFormatException ignored) {
          // fall through to the error
        }
      }
      throw error(field, "must be a number, got " + StrictJson.kind(e, false));
    }
    return e.getAsDouble();
  }

  /** The field as a list of strings; a single string counts as a list of one. @throws JsonLinesException otherwise */
  public List<String> strings(String field) {
    JsonElement e = json.get(field);
    if (e == null || e.isJsonNull()) {
      throw error(field, "missing");
    }
    return toStrings(field, e);
  }

  /** Like {@link #strings} but an absent or null field gives an empty list. */
  public List<String> optStrings(String field) {
    JsonElement e = json.get(field);
    return e == null || e.isJsonNull() ? List.of() : toStrings(field, e);
  }

  /** Whether the field is present and not null. */
  public boolean has(String field) {
    JsonElement e = json.get(field);
    return e != null && !e.isJsonNull();
  }

  /** An exception naming this line and {@code field} (null for the whole line). */
  public JsonLinesException error(@Nullable String field, String problem) {
    return new JsonLinesException(source, line, field, problem);
  }

  private List<String> toStrings(String field, JsonElement e) {
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      return List.of(e.getAsString());
    }
    if (!e.isJsonArray()) {
      throw error(field, "must be a list of strings, got " + StrictJson.kind(e, false));
    }
    JsonArray array = e.getAsJsonArray();
    List<String> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonElement item = array.get(i);
      if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
        throw error(field + "[" + i + "]", "must be a string, got " + StrictJson.kind(item, false));
      }
      out.add(item.getAsString());
    }
    return out;
  }
}
