package dev.kalm.data.filter;

import dev.kalm.data.example.TrainingExample;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/** Drops an example whose query or any positive has a token count outside [min, max]. */
final class TokenLengthFilter implements DataFilter {
  private final ToIntFunction<String> tokenCount;
  private final int min;
  private final int max;

  TokenLengthFilter(ToIntFunction<String> tokenCount, int min, int max) {
    this.tokenCount = tokenCount;
    this.min = min;
    this.max = max;
  }

  @Override
  public String name() {
    return "token-length";
  }

  @Override
  public Stream<TrainingExample> apply(Stream<TrainingExample> examples, FilterTally tally) {
    return examples.filter(e -> {
      tally.in(1);
      String reason = check(e.query(), "query");
      for (int i = 0; reason == null && i < e.positives().size(); i++) {
        reason = check(e.positives().get(i), "positive");
      }
      if (reason == null) {
        tally.kept(1);
        return true;
      }
      tally.dropped(reason, 1);
      return false;
    });
  }

  private String check(String text, String what) {
    int n = tokenCount.applyAsInt(text);
    return n < min ? what + "-too-short" : n > max ? what + "-too-long" : null;
  }

  @Override
  public String toString() {
    return "token-length[" + min + ", " + max + "]";
  }
}
