package dev.kalm.data.filter;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import dev.kalm.data.example.TrainingExample;

/**
 * The outcome of filtering a list in memory: the examples kept, in order, and the report.
 *
 * @param examples the kept (possibly changed) examples
 * @param report what the filter did
 */
public record FilterResult(ImmutableList<TrainingExample> examples, FilterReport report) {
  /** Copies. */
  public FilterResult {
    examples = ImmutableList.copyOf(examples);
    checkNotNull(report, "report");
  }
}
