package dev.kalm.data.sampler;

import com.google.common.hash.Hashing;
import dev.kalm.data.example.Texts;
import dev.kalm.data.example.TrainingExample;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Moves examples between batches so that no two examples of a batch share a text (query or positive,
 * normalised): an in-batch "negative" equal to a positive would be a false negative. A conflicting
 * example is swapped with a slot of another batch that clashes with neither batch, preferring a slot of
 * the same task (so task composition is kept); at most {@link #MAX_BATCHES_TRIED} batches are tried per
 * conflict, so a text shared by a large share of all examples can stay duplicated.
 */
final class DuplicateSeparator {
  static final int MAX_BATCHES_TRIED = 256;

  private final List<TrainingExample> examples;
  private final long[][] keys;

  DuplicateSeparator(List<TrainingExample> examples) {
    this.examples = examples;
    this.keys = new long[examples.size()][];
  }

  /** Rearranges {@code batches} in place. */
  void separate(List<int[]> batches, SplittableRandom random) {
    for (int b = 0; b < batches.size(); b++) {
      int[] batch = batches.get(b);
      Map<Long, Integer> counts = counts(batch);
      for (int s = 0; s < batch.length; s++) {
        if (clashes(keys(batch[s]), counts, 1)) {
          trySwap(batches, b, s, counts, random);
        }
      }
    }
  }

  private void trySwap(List<int[]> batches, int b, int s, Map<Long, Integer> counts, SplittableRandom random) {
    int[] batch = batches.get(b);
    int x = batch[s];
    Map<Long, Integer> withoutX = new HashMap<>(counts);
    remove(withoutX, keys(x));
    int tries = Math.min(MAX_BATCHES_TRIED, batches.size() - 1);
    int start = random.nextInt(batches.size());
    for (int pass = 0; pass < 2; pass++) {
      boolean sameTaskOnly = pass == 0;
      for (int t = 0, c = start; t < tries; c = (c + 1) % batches.size()) {
        if (c == b) {
          continue;
        }
        t++;
        int[] other = batches.get(c);
        Map<Long, Integer> otherCounts = counts(other);
        for (int j = 0; j < other.length; j++) {
          int y = other[j];
          if (sameTaskOnly && !examples.get(y).task().equals(examples.get(x).task())) {
            continue;
          }
          if (clashes(keys(y), withoutX, 0)) {
            continue;
          }
          Map<Long, Integer> otherWithoutY = new HashMap<>(otherCounts);
          remove(otherWithoutY, keys(y));
          if (clashes(keys(x), otherWithoutY, 0)) {
            continue;
          }
          batch[s] = y;
          other[j] = x;
          counts.clear();
          counts.putAll(withoutX);
          add(counts, keys(y));
          return;
        }
      }
    }
  }

  /** Whether any of {@code own} occurs more than {@code allowed} times in {@code counts}. */
  private static boolean clashes(long[] own, Map<Long, Integer> counts, int allowed) {
    for (long k : own) {
      if (counts.getOrDefault(k, 0) > allowed) {
        return true;
      }
    }
    return false;
  }

  private Map<Long, Integer> counts(int[] batch) {
    Map<Long, Integer> counts = new HashMap<>();
    for (int index : batch) {
      add(counts, keys(index));
    }
    return counts;
  }

  private static void add(Map<Long, Integer> counts, long[] own) {
    for (long k : own) {
      counts.merge(k, 1, Integer::sum);
    }
  }

  private static void remove(Map<Long, Integer> counts, long[] own) {
    for (long k : own) {
      counts.computeIfPresent(k, (key, n) -> n == 1 ? null : n - 1);
    }
  }

  /** The distinct text hashes of an example (query and positives), computed once per call of the sampler. */
  private long[] keys(int index) {
    long[] k = keys[index];
    if (k == null) {
      TrainingExample e = examples.get(index);
      k = new long[1 + e.positives().size()];
      k[0] = hash(e.query());
      for (int i = 0; i < e.positives().size(); i++) {
        k[i + 1] = hash(e.positives().get(i));
      }
      k = java.util.Arrays.stream(k).distinct().toArray();
      keys[index] = k;
    }
    return k;
  }

  private static long hash(String text) {
    return Hashing.murmur3_128().hashString(Texts.normalize(text), StandardCharsets.UTF_8).asLong();
  }
}
