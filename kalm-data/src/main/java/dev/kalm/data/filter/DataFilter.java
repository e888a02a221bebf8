package dev.kalm.data.filter;

import com.google.common.collect.ImmutableList;
import dev.kalm.data.example.TrainingExample;
import java.util.List;
import java.util.stream.Stream;

/**
 * One step of training-data cleaning: drops examples (with a reason) and may change the ones it keeps
 * (e.g. remove duplicate documents, add mined hard negatives). Filters compose with
 * {@link DataFilters#chain}; factories for the KaLM filters are in {@link DataFilters}.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>{@link #apply} is lazy where the filter allows it (per-example filters stream; a filter that
 *       needs every example first, such as ranking consistency, collects on the first pull) and keeps
 *       the input order of the examples it keeps.
 *   <li>Every example that comes in is counted with {@link FilterTally#in}, and then either with
 *       {@link FilterTally#kept} when it goes out or with {@link FilterTally#dropped} and a reason.
 *   <li>Deterministic: the same input (and seed, where the filter is random) gives the same output.
 *   <li>State (seen sets, ...) lives in one {@code apply} call: a filter object may be applied many
 *       times and from several threads.
 * </ul>
 *
 * <pre>{@code
 * DataFilter clean = DataFilters.chain(DataFilters.dedupDocuments(), DataFilters.dedupExamples(),
 *     DataFilters.tokenLength(embedder::tokenCount, 1, 512));
 * FilterResult result = clean.filter(examples);
 * System.err.print(result.report().summary());
 * }</pre>
 */
public interface DataFilter {
  /** A short kebab-case name for reports, e.g. {@code dedup-examples}. */
  String name();

  /**
   * The kept examples of {@code examples}, lazily; counts go to {@code tally} while the returned
   * stream is consumed. The returned stream closes {@code examples} when closed.
   */
  Stream<TrainingExample> apply(Stream<TrainingExample> examples, FilterTally tally);

  /** Filters a list in memory and returns the kept examples with the report. */
  default FilterResult filter(List<TrainingExample> examples) {
    FilterTally tally = new FilterTally(name());
    ImmutableList<TrainingExample> kept;
    try (Stream<TrainingExample> out = apply(examples.stream(), tally)) {
      kept = out.collect(ImmutableList.toImmutableList());
    }
    return new FilterResult(kept, tally.report());
  }
}
