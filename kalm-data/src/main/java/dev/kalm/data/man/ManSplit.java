package dev.kalm.data.man;

import com.google.common.collect.ImmutableList;

/**
 * Pages divided into a training part and a held-out test part, each page in exactly one part, both in
 * the input's order. Immutable.
 */
public record ManSplit(ImmutableList<ManPage> train, ImmutableList<ManPage> test) {
  /** Copies. */
  public ManSplit {
    train = ImmutableList.copyOf(train);
    test = ImmutableList.copyOf(test);
  }
}
