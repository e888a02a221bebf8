package dev.kalm.core.report;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.internal.json.ReportJson;
import dev.kalm.core.io.AtomicFiles;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A report of a run: named fields in the order they were added, written as one pretty-printed JSON object
 * (two-space indent). Immutable and thread-safe; equal when the fields (and {@link Builder#htmlSafe()}) are.
 *
 * <p>A field's value is a {@link String}, a whole number ({@link Long}), a {@link Double}, a {@link Boolean},
 * another {@code Report} (a nested JSON object), or an {@link ImmutableList} of strings or of reports (a JSON
 * array). JSON has no NaN, so a number that is NaN or infinite leaves its field out, as a {@code null} string does;
 * a reader finds the field absent. Doubles are written as {@link Double#toString(double)} writes them ({@code 2.0},
 * {@code 1.0E-5}), whole numbers without a fraction.
 */
public final class Report {
  private final ImmutableMap<String, Object> fields;
  private final boolean htmlSafe;

  private Report(ImmutableMap<String, Object> fields, boolean htmlSafe) {
    this.fields = fields;
    this.htmlSafe = htmlSafe;
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A report with one field per entry, in the map's order: whole numbers ({@code Long}, {@code Integer},
   * {@code Short}, {@code Byte}) as {@code Long}, others as {@code Double} (left out when not finite). For
   * counts and metrics by name.
   */
  public static Report of(Map<String, ? extends Number> values) {
    Builder b = builder();
    values.forEach((name, value) -> {
      if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
        b.add(name, value.longValue());
      } else {
        b.add(name, value.doubleValue());
      }
    });
    return b.build();
  }

  /** The fields in order, with the value types of the class description. */
  public ImmutableMap<String, Object> fields() {
    return fields;
  }

  /** This report as JSON text ending in a newline, as {@link #write} writes it. */
  public String toJson() {
    return ReportJson.pretty(plain(), htmlSafe);
  }

  /**
   * Writes {@link #toJson()} as UTF-8 to {@code file} atomically (all or nothing).
   *
   * @throws java.io.UncheckedIOException naming the file when it cannot be written
   */
  public void write(Path file) {
    AtomicFiles.writeString(file, toJson());
  }

  /** The fields as plain Java values: nested reports as maps, lists of reports as lists of maps. */
  private Map<String, Object> plain() {
    Map<String, Object> out = new LinkedHashMap<>();
    fields.forEach((name, value) -> out.put(name, plain(value)));
    return out;
  }

  private static Object plain(Object value) {
    if (value instanceof Report r) {
      return r.plain();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(Report::plain).toList();
    }
    return value;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Report r && r.htmlSafe == htmlSafe && r.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode() * 31 + Boolean.hashCode(htmlSafe);
  }

  /** {@link #toJson()}. */
  @Override
  public String toString() {
    return toJson();
  }

  /**
   * Adds fields in order. A name can be added once ({@link IllegalArgumentException} for a second time); a
   * value left out (a null string, a non-finite number) still takes its name. Not thread-safe.
   */
  public static final class Builder {
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private final Set<String> names = new HashSet<>();
    private boolean htmlSafe;

    private Builder() {}

    /** A text; {@code null} leaves the field out. */
    public Builder add(String name, @Nullable String value) {
      return put(name, value);
    }

    /** A whole number. */
    public Builder add(String name, long value) {
      return put(name, value);
    }

    /** A number; NaN or infinite leaves the field out. */
    public Builder add(String name, double value) {
      return put(name, Double.isFinite(value) ? value : null);
    }

    /** A boolean. */
    public Builder add(String name, boolean value) {
      return put(name, value);
    }

    /** A nested report (a JSON object). */
    public Builder add(String name, Report value) {
      return put(name, checkNotNull(value, "value"));
    }

    /** A nested object of numbers by name, as {@link Report#of} makes it. */
    public Builder add(String name, Map<String, ? extends Number> values) {
      return put(name, of(values));
    }

    /** A list of texts (a JSON array of strings). */
    public Builder addStrings(String name, List<String> values) {
      return put(name, ImmutableList.copyOf(values));
    }

    /** A list of nested reports (a JSON array of objects). */
    public Builder addReports(String name, List<Report> values) {
      return put(name, ImmutableList.copyOf(values));
    }

    /** Every field of {@code other}, in its order, after the fields added so far. */
    public Builder addAll(Report other) {
      other.fields.forEach(this::put);
      return this;
    }

    /**
     * Writes {@code <}, {@code >}, {@code &}, {@code =} and {@code '} in strings as {@code \}{@code u003c}-style
     * escapes (as a report meant to be embedded in HTML is); by default they are written as they are.
     */
    public Builder htmlSafe() {
      htmlSafe = true;
      return this;
    }

    /** The report. The builder can go on adding fields for another one. */
    public Report build() {
      return new Report(ImmutableMap.copyOf(fields), htmlSafe);
    }

    private Builder put(String name, @Nullable Object value) {
      checkNotNull(name, "name");
      checkArgument(names.add(name), "field '%s' added twice", name);
      if (value != null) {
        fields.put(name, value);
      }
      return this;
    }
  }
}
