package dev.kalm.core.internal.json;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.List;
import java.util.Map;

/**
 * Writes a report's plain value tree as pretty-printed JSON with Gson: the one place that fixes the text of
 * kalm's {@code --report} files ({@code dev.kalm.core.report.Report} calls it). Stateless and thread-safe.
 */
public final class ReportJson {
  private ReportJson() {}

  /**
   * {@code fields} as a pretty-printed JSON object (two-space indent) and a newline. Values are strings, numbers,
   * booleans, maps from names to values (objects, in map order) and lists of values (arrays).
   *
   * @param htmlSafe escape {@code < > & = '} as Gson's HTML-safe mode does; otherwise write them as they are
   * @throws IllegalArgumentException for a value of another type, or (from Gson) a NaN or infinite number
   */
  public static String pretty(Map<String, ?> fields, boolean htmlSafe) {
    GsonBuilder gson = new GsonBuilder().setPrettyPrinting();
    if (!htmlSafe) {
      gson.disableHtmlEscaping();
    }
    return gson.create().toJson(tree(fields)) + "\n";
  }

  private static JsonElement tree(Object value) {
    if (value instanceof Map<?, ?> map) {
      JsonObject o = new JsonObject();
      map.forEach((name, v) -> o.add((String) name, tree(v)));
      return o;
    }
    if (value instanceof List<?> list) {
      JsonArray a = new JsonArray();
      list.forEach(v -> a.add(tree(v)));
      return a;
    }
    if (value instanceof String s) {
      return new JsonPrimitive(s);
    }
    if (value instanceof Boolean b) {
      return new JsonPrimitive(b);
    }
    if (value instanceof Number n) {
      return new JsonPrimitive(n);
    }
    throw new IllegalArgumentException("not a report value: " + value.getClass().getName());
  }
}
