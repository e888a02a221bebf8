package dev.kalm.core.jsonl;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.kalm.core.internal.json.StrictJson;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One parsed line of a JSON Lines file with typed field accessors whose errors name the file ({@link #source()}),
 * line ({@link #line()}) and field. Immutable; two lines are equal when source, line number and content are.
 */
public final class JsonLine {
  private final String source;
  private final long line;
  private final JsonObject json;

  JsonLine(String source, long line, JsonObject json) {
    this.source = source;
    this.line = line;
    this.json = json;
  }

  /**
   * Parses {@code text} strictly as one JSON object, the line numbered {@code line} of {@code source}.
   *
   * @throws JsonLinesException naming {@code source} and {@code line} when it is not one
   */
  public static JsonLine parse(String text, String source, long line) {
    return new JsonLine(source, line, JsonLines.parseObject(text, source, line));
  }

  /** The file or stream the line came from, as errors name it. */
  public String source() {
    return source;
  }

  /** The line's number in {@link #source()}, from 1. */
  public long line() {
    return line;
  }

  /** The parsed object, for this package only (never modified). */
  JsonObject json() {
    return json;
  }

  /** The names of the line's fields, in line order. */
  public Set<String> fields() {
    return Collections.unmodifiableSet(json.keySet());
  }

  /**
   * The field's value as plain Java: a {@link String}, a {@link Number} (a {@link java.math.BigDecimal} of the
   * digits as written), a {@link Boolean}, an unmodifiable {@link List} or {@link Map} (in line order) of such values,
   * or null when the field is absent or null (a null inside a list or object stays null).
   */
  public @Nullable Object value(String field) {
    return plain(json.get(field));
  }

  /** The field's value as compact JSON text (HTML characters not escaped), or null when the field is absent. */
  public @Nullable String rawJson(String field) {
    JsonElement e = json.get(field);
    return e == null ? null : e.toString();
  }

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

  private static @Nullable Object plain(@Nullable JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (e.isJsonObject()) {
      Map<String, @Nullable Object> map = new LinkedHashMap<>();
      e.getAsJsonObject().entrySet().forEach(m -> map.put(m.getKey(), plain(m.getValue())));
      return Collections.unmodifiableMap(map);
    }
    if (e.isJsonArray()) {
      List<@Nullable Object> list = new ArrayList<>();
      e.getAsJsonArray().forEach(item -> list.add(plain(item)));
      return Collections.unmodifiableList(list);
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    return p.isString() ? p.getAsString() : p.isBoolean() ? (Object) p.getAsBoolean() : p.getAsNumber();
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof JsonLine other && line == other.line && source.equals(other.source) && json.equals(other.json);
  }

  @Override
  public int hashCode() {
    return Objects.hash(source, line, json);
  }

  @Override
  public String toString() {
    return "JsonLine[source=" + source + ", line=" + line + ", json=" + json + "]";
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
