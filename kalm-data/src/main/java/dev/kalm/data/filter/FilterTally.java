package dev.kalm.data.filter;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The counts a {@link DataFilter} keeps while its stream is consumed; {@link #report()} freezes them into
 * a {@link FilterReport}. Thread-safe (filters may run on parallel streams).
 *
 * <p>A chain gives each of its filters a {@linkplain #part(String) part}; the chain's report then sums
 * the parts' drops.
 */
public final class FilterTally {
  private final String name;
  private long in;
  private long kept;
  private final Map<String, Long> dropped = new LinkedHashMap<>();
  private final Map<String, Double> metrics = new LinkedHashMap<>();
  private final List<FilterTally> parts = new ArrayList<>();

  /** A tally with no counts, for a filter named {@code name}. */
  public FilterTally(String name) {
    this.name = checkNotNull(name, "name");
  }

  /** Counts {@code n} incoming examples. */
  public synchronized void in(long n) {
    checkArgument(n >= 0, "n must be >= 0, got %s", n);
    in += n;
  }

  /** Counts {@code n} outgoing examples. */
  public synchronized void kept(long n) {
    checkArgument(n >= 0, "n must be >= 0, got %s", n);
    kept += n;
  }

  /** Counts {@code n} examples dropped for {@code reason} (a short kebab-case name). */
  public synchronized void dropped(String reason, long n) {
    checkNotNull(reason, "reason");
    checkArgument(n >= 0, "n must be >= 0, got %s", n);
    dropped.merge(reason, n, Long::sum);
  }

  /** Adds {@code delta} to a metric (starting from 0). */
  public synchronized void add(String metric, double delta) {
    metrics.merge(checkNotNull(metric, "metric"), delta, Double::sum);
  }

  /** Sets a metric. */
  public synchronized void set(String metric, double value) {
    metrics.put(checkNotNull(metric, "metric"), value);
  }

  /** A new sub-tally for one filter of a chain; its drops count in this tally's report. */
  public synchronized FilterTally part(String partName) {
    FilterTally part = new FilterTally(partName);
    parts.add(part);
    return part;
  }

  /**
   * The sub-tally of the filter at {@code index} of a chain: the existing part at that index (a chain
   * applied again, e.g. once per file, adds to the same parts), or a new one when {@code index} is the
   * next free index.
   *
   * @throws IllegalArgumentException when {@code index} skips a part or the part there has another name
   */
  public synchronized FilterTally part(int index, String partName) {
    checkNotNull(partName, "partName");
    checkArgument(index >= 0 && index <= parts.size(), "index must be in [0, %s], got %s", parts.size(), index);
    if (index == parts.size()) {
      return part(partName);
    }
    FilterTally existing = parts.get(index);
    checkArgument(existing.name.equals(partName), "part %s is '%s', not '%s'", index, existing.name, partName);
    return existing;
  }

  /** The current value of a metric, 0 when never set. */
  public synchronized double metric(String metric) {
    return metrics.getOrDefault(checkNotNull(metric, "metric"), 0.0);
  }

  /** A snapshot of the counts so far. */
  public synchronized FilterReport report() {
    ImmutableList<FilterReport> partReports = parts.stream().map(FilterTally::report).collect(ImmutableList.toImmutableList());
    Map<String, Long> allDropped = new LinkedHashMap<>(dropped);
    partReports.forEach(p -> p.dropped().forEach((reason, n) -> allDropped.merge(reason, n, Long::sum)));
    return new FilterReport(name, in, kept, ImmutableMap.copyOf(allDropped), ImmutableMap.copyOf(metrics), partReports);
  }
}
