package dev.kalm.data.filter;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.report.Report;

/**
 * What one {@link DataFilter} (or chain) did. Immutable. Once the filtered stream has been consumed to
 * its end, {@code in == kept + sum(dropped)}.
 *
 * @param name the filter's {@link DataFilter#name()}
 * @param in examples that came in
 * @param kept examples that went out (possibly changed, e.g. with mined negatives)
 * @param dropped examples dropped, by reason (e.g. {@code duplicate-example}), in first-seen order; for a
 *     chain, summed over its parts
 * @param metrics other figures by name (e.g. {@code negatives_mined}, {@code search_seconds})
 * @param parts the reports of a chain's filters, in chain order; empty for a single filter
 */
public record FilterReport(
    String name,
    long in,
    long kept,
    ImmutableMap<String, Long> dropped,
    ImmutableMap<String, Double> metrics,
    ImmutableList<FilterReport> parts) {

  /** Validates and copies. @throws IllegalArgumentException for negative counts */
  public FilterReport {
    checkNotNull(name, "name");
    checkArgument(in >= 0 && kept >= 0, "in and kept must be >= 0, got in=%s kept=%s", in, kept);
    dropped = ImmutableMap.copyOf(dropped);
    metrics = ImmutableMap.copyOf(metrics);
    parts = ImmutableList.copyOf(parts);
  }

  /** Examples dropped, all reasons together. */
  public long droppedTotal() {
    return dropped.values().stream().mapToLong(Long::longValue).sum();
  }

  /** One line per filter (the chain first, then its parts indented), for logs and the CLI. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    append(sb, "");
    return sb.toString();
  }

  /**
   * This report for a run report: {@code name}, {@code in}, {@code kept}, {@code dropped} (reason to count),
   * {@code metrics} (name to number; one that is NaN or infinite, say a rate over no time, is left out: NaN is
   * not JSON) and, for a chain, {@code parts} (the same shape per filter, in chain order).
   */
  public Report toReport() {
    Report.Builder b = Report.builder()
        .add("name", name)
        .add("in", in)
        .add("kept", kept)
        .add("dropped", dropped)
        .add("metrics", metrics);
    if (!parts.isEmpty()) {
      b.addReports("parts", parts.stream().map(FilterReport::toReport).toList());
    }
    return b.build();
  }

  private void append(StringBuilder sb, String indent) {
    sb.append(indent).append(name).append(": in ").append(in).append(", kept ").append(kept);
    dropped.forEach((reason, count) -> sb.append(", dropped ").append(reason).append(' ').append(count));
    metrics.forEach((metric, value) -> sb.append(", ").append(metric).append(' ').append(readable(value)));
    sb.append('\n');
    parts.forEach(p -> p.append(sb, indent + "  "));
  }

  /** A metric for people: whole numbers without a fraction, others with four significant digits. */
  private static String readable(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return String.format(java.util.Locale.ROOT, "%.4g", value);
  }
}
