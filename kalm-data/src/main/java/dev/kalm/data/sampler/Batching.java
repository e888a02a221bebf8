package dev.kalm.data.sampler;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small shared pieces of the built-in samplers. */
final class Batching {
  private Batching() {}

  /** The random stream of one (seed, epoch): SplitMix64 of the pair. */
  static SplittableRandom random(long seed, int epoch) {
    long z = seed + (epoch + 1L) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return new SplittableRandom(z ^ (z >>> 31));
  }

  /** Fisher-Yates shuffle of {@code a[from, to)}. */
  static void shuffle(int[] a, int from, int to, SplittableRandom random) {
    for (int i = to - 1; i > from; i--) {
      int j = from + random.nextInt(i - from + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** Fisher-Yates shuffle of a list. */
  static <T> void shuffle(List<T> list, SplittableRandom random) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  /** Cuts {@code a[from, to)} into batches of {@code size}; a shorter last batch is kept unless {@code dropLast}. */
  static List<int[]> cut(int[] a, int from, int to, int size, boolean dropLast) {
    List<int[]> out = new ArrayList<>();
    for (int start = from; start < to; start += size) {
      int end = Math.min(start + size, to);
      if (end - start == size || !dropLast) {
        out.add(java.util.Arrays.copyOfRange(a, start, end));
      }
    }
    return out;
  }

  static ImmutableList<ImmutableIntArray> freeze(List<int[]> batches) {
    return batches.stream().map(ImmutableIntArray::copyOf).collect(ImmutableList.toImmutableList());
  }
}
