package dev.kalm.core.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kalm.core.internal.json.StrictJson;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Reads the JSON files of a model folder strictly ({@link StrictJson}) and checks field types and ranges, with
 * {@link ModelFormatException}s naming the file (and line for syntax errors) and the field:
 * {@code model/config.json: num_attention_heads must be >= 1, got 0}.
 */
final class ModelJson {
  private static final BigDecimal INT_MAX = BigDecimal.valueOf(Integer.MAX_VALUE);

  private ModelJson() {}

  /** The file's one JSON value. @throws ModelFormatException when missing, unreadable, not UTF-8 or not strict JSON */
  static JsonElement parse(Path file) {
    try {
      return StrictJson.readFile(file);
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(file, file.getFileName() + " not found", e);
    } catch (IOException e) {
      throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
    } catch (StrictJson.Malformed e) {
      throw new ModelFormatException(file, e.line(), e.problem(), e);
    }
  }

  /** The file's JSON object. @throws ModelFormatException as {@link #parse}, or when it is not an object */
  static JsonObject readObject(Path file) {
    JsonElement e = parse(file);
    if (!e.isJsonObject()) {
      throw new ModelFormatException(file, "must hold a JSON object, got " + StrictJson.kind(e, true));
    }
    return e.getAsJsonObject();
  }

  /** Whether {@code field} is present and not null. */
  static boolean has(JsonObject json, String field) {
    return json.has(field) && !json.get(field).isJsonNull();
  }

  /**
   * The integer {@code field}, which must be in [{@code min}, 2^31-1], or {@code fallback} when absent or null
   * (a null fallback makes it required).
   */
  static int integer(JsonObject json, String field, int min, @Nullable Integer fallback, Path file) {
    if (!has(json, field)) {
      if (fallback == null) {
        throw new ModelFormatException(file, field + " is missing");
      }
      return fallback;
    }
    BigDecimal value = number(json, field, file);
    if (value.signum() != 0 && value.stripTrailingZeros().scale() > 0) {
      throw new ModelFormatException(file, field + " must be an integer, got " + json.get(field));
    }
    if (value.compareTo(BigDecimal.valueOf(min)) < 0) {
      throw new ModelFormatException(file, field + " must be >= " + min + ", got " + json.get(field));
    }
    if (value.compareTo(INT_MAX) > 0) {
      throw new ModelFormatException(file, field + " must be <= " + Integer.MAX_VALUE + " (a 32-bit int), got "
          + json.get(field));
    }
    return value.intValueExact();
  }

  /** The number {@code field}, which must be finite and > 0, or {@code fallback} when absent or null. */
  static double positive(JsonObject json, String field, double fallback, Path file) {
    if (!has(json, field)) {
      return fallback;
    }
    double value = number(json, field, file).doubleValue();
    if (!Double.isFinite(value) || value <= 0) {
      throw new ModelFormatException(file, field + " must be a finite number > 0, got " + json.get(field));
    }
    return value;
  }

  /** The boolean {@code field}, or {@code fallback} when absent or null. */
  static boolean bool(JsonObject json, String field, boolean fallback, Path file) {
    if (!has(json, field)) {
      return fallback;
    }
    JsonElement e = json.get(field);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw new ModelFormatException(file, field + " must be true or false, got " + e);
    }
    return e.getAsBoolean();
  }

  /** The string {@code field}, or {@code fallback} when absent or null (a null fallback makes it required). */
  static String string(JsonObject json, String field, @Nullable String fallback, Path file) {
    return string(json, "", field, fallback, file);
  }

  /** Like {@link #string(JsonObject, String, String, Path)}, naming the field {@code where + field} in messages. */
  static String string(JsonObject json, String where, String field, @Nullable String fallback, Path file) {
    if (!has(json, field)) {
      if (fallback == null) {
        throw new ModelFormatException(file, where + field + " is missing");
      }
      return fallback;
    }
    JsonElement e = json.get(field);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw new ModelFormatException(file, where + field + " must be a string, got " + e);
    }
    return e.getAsString();
  }

  /** The object {@code field}, or null when absent or null. */
  static @Nullable JsonObject object(JsonObject json, String field, Path file) {
    if (!has(json, field)) {
      return null;
    }
    JsonElement e = json.get(field);
    if (!e.isJsonObject()) {
      throw new ModelFormatException(file, field + " must be a JSON object, got " + StrictJson.kind(e, true));
    }
    return e.getAsJsonObject();
  }

  private static BigDecimal number(JsonObject json, String field, Path file) {
    JsonElement e = json.get(field);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw new ModelFormatException(file, field + " must be a number, got " + e);
    }
    return e.getAsBigDecimal();
  }
}
