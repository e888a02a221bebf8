package dev.kalm.data.filter;

import com.google.common.collect.ImmutableList;
import dev.kalm.data.example.TrainingExample;
import java.util.stream.Stream;

/** Filters applied one after the other; each reports into its own part of the chain's tally. */
final class ChainFilter implements DataFilter {
  private final ImmutableList<DataFilter> filters;

  ChainFilter(ImmutableList<DataFilter> filters) {
    this.filters = filters;
  }

  @Override
  public String name() {
    return "chain";
  }

  @Override
  public Stream<TrainingExample> apply(Stream<TrainingExample> examples, FilterTally tally) {
    Stream<TrainingExample> stream = examples.map(e -> {
      tally.in(1);
      return e;
    });
    for (int i = 0; i < filters.size(); i++) {
      stream = filters.get(i).apply(stream, tally.part(i, filters.get(i).name()));
    }
    return stream.map(e -> {
      tally.kept(1);
      return e;
    });
  }

  @Override
  public String toString() {
    return "chain" + filters;
  }
}
