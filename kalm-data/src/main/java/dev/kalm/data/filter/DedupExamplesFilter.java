package dev.kalm.data.filter;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hashing;
import dev.kalm.data.example.Texts;
import dev.kalm.data.example.TrainingExample;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Drops an example whose normalised (query, first positive) was seen before. Keeps a 128-bit hash per
 * distinct example (16 bytes), not the texts.
 */
final class DedupExamplesFilter implements DataFilter {
  static final String DUPLICATE = "duplicate-example";

  @Override
  public String name() {
    return "dedup-examples";
  }

  @Override
  public Stream<TrainingExample> apply(Stream<TrainingExample> examples, FilterTally tally) {
    Set<HashCode> seen = ConcurrentHashMap.newKeySet();
    return examples.filter(e -> {
      tally.in(1);
      if (seen.add(key(e))) {
        tally.kept(1);
        return true;
      }
      tally.dropped(DUPLICATE, 1);
      return false;
    });
  }

  private static HashCode key(TrainingExample e) {
    return Hashing.murmur3_128().newHasher()
        .putString(Texts.normalize(e.query()), StandardCharsets.UTF_8)
        .putByte((byte) 0)
        .putString(Texts.normalize(e.firstPositive()), StandardCharsets.UTF_8)
        .hash();
  }
}
