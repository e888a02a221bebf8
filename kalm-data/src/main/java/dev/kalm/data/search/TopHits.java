package dev.kalm.data.search;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The best hits of one query, best first: document ids with their scores, ordered by score descending
 * and, for equal scores, by lower id (the order every {@link VectorIndex} returns). Ids are distinct;
 * scores are not NaN. Immutable, thread-safe (arrays are copied in and out) and serializable;
 * {@code equals} compares contents bit for bit.
 *
 * <p>{@link #merge(TopHits, TopHits, int)} combines the partial lists of a search split into blocks of
 * documents (e.g. the block pairs of a distributed search, after {@link #offsetIds} to global ids)
 * into the list the whole search returns.
 *
 * @param ids document ids, best first, distinct
 * @param scores their scores, same length, non-increasing, none NaN
 */
public record TopHits(int[] ids, float[] scores) implements Serializable {
  private static final TopHits EMPTY = new TopHits(new int[0], new float[0]);

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException when the lengths differ, a score is NaN, an id repeats, or the
   *     hits are not ordered best first (score descending, then id ascending)
   */
  public TopHits {
    ids = checkNotNull(ids, "ids").clone();
    scores = checkNotNull(scores, "scores").clone();
    checkArgument(ids.length == scores.length, "ids and scores must have the same length, got %s and %s",
        ids.length, scores.length);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < ids.length; i++) {
      checkArgument(!Float.isNaN(scores[i]), "scores[%s] must not be NaN", i);
      checkArgument(seen.add(ids[i]), "ids must be distinct, id %s repeats at rank %s", ids[i], i);
      if (i > 0) {
        checkArgument(better(scores[i - 1], ids[i - 1], scores[i], ids[i]),
          "hits must be best first (score descending, then id ascending): rank %s (id %s, score %s) before"
              + " rank %s (id %s, score %s)", i - 1, ids[i - 1], scores[i - 1], i, ids[i], scores[i]);
      }
    }
  }

  /** No hits. */
  public static TopHits empty() {
    return EMPTY;
  }

  /** Number of hits. */
  public int size() {
    return ids.length;
  }

  /** The id at a 0-based rank. */
  public int id(int rank) {
    checkElementIndex(rank, ids.length, "rank");
    return ids[rank];
  }

  /** The score at a 0-based rank. */
  public float score(int rank) {
    checkElementIndex(rank, scores.length, "rank");
    return scores[rank];
  }

  @Override
  public int[] ids() {
    return ids.clone();
  }

  @Override
  public float[] scores() {
    return scores.clone();
  }

  /**
   * These hits with {@code offset} added to every id: a block of documents searched on its own numbers
   * its documents from 0, the whole corpus from the block's first row.
   *
   * @throws IllegalArgumentException when an id would overflow or become negative
   */
  public TopHits offsetIds(int offset) {
    int[] shifted = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      long id = (long) ids[i] + offset;
      checkArgument(id >= 0 && id <= Integer.MAX_VALUE, "id %s + offset %s is outside [0, 2^31)", ids[i], offset);
      shifted[i] = (int) id;
    }
    return new TopHits(shifted, scores);
  }

  /**
   * The best {@code k} hits of {@code a} and {@code b} together, best first (score descending, then
   * lower id). An id in both lists is kept once, with the higher of its two scores ({@link Float#compare}
   * order, so {@code 0.0} beats {@code -0.0}). Pure and deterministic; associative and commutative for a
   * fixed {@code k}: {@code merge(merge(a, b, k), c, k) == merge(a, merge(b, c, k), k)}, so partial
   * lists may be merged in any grouping and order (a Spark {@code reduce}, a tree of merges) with the same
   * result, which equals the top {@code k} of the union of all hits.
   *
   * @throws IllegalArgumentException when {@code k < 0}
   */
  public static TopHits merge(TopHits a, TopHits b, int k) {
    checkNotNull(a, "a");
    checkNotNull(b, "b");
    checkArgument(k >= 0, "k must be >= 0, got %s", k);
    int cap = Math.min(k, a.size() + b.size());
    int[] ids = new int[cap];
    float[] scores = new float[cap];
    Set<Integer> taken = a.size() == 0 || b.size() == 0 ? null : new HashSet<>();
    int n = 0;
    int i = 0;
    int j = 0;
    while (n < cap && (i < a.size() || j < b.size())) {
      int id;
      float score;
      if (j >= b.size() || (i < a.size() && takeFirst(a.scores[i], a.ids[i], b.scores[j], b.ids[j]))) {
        id = a.ids[i];
        score = a.scores[i++];
      } else {
        id = b.ids[j];
        score = b.scores[j++];
      }
      if (taken == null || taken.add(id)) {
        ids[n] = id;
        scores[n++] = score;
      }
    }
    return n == cap ? new TopHits(ids, scores) : new TopHits(Arrays.copyOf(ids, n), Arrays.copyOf(scores, n));
  }

  /**
   * The best {@code k} hits of all the lists: {@link #merge(TopHits, TopHits, int)} folded over them (any
   * order gives the same result).
   */
  public static TopHits merge(List<TopHits> parts, int k) {
    checkArgument(k >= 0, "k must be >= 0, got %s", k);
    TopHits result = EMPTY;
    for (TopHits part : checkNotNull(parts, "parts")) {
      result = merge(result, part, k);
    }
    return result;
  }

  /**
   * The ranking rule of every {@link VectorIndex}: hit (scoreA, idA) ranks before hit (scoreB, idB) iff
   * its score is higher, or the scores are equal ({@code ==}, so {@code 0.0 == -0.0}) and its id is lower.
   */
  static boolean better(float scoreA, int idA, float scoreB, int idB) {
    return scoreA > scoreB || (scoreA == scoreB && idA < idB);
  }

  /** Merge order: the ranking rule; for one id in both lists, the higher score by {@link Float#compare} first. */
  private static boolean takeFirst(float scoreA, int idA, float scoreB, int idB) {
    return idA == idB ? Float.compare(scoreA, scoreB) >= 0 : better(scoreA, idA, scoreB, idB);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopHits other && Arrays.equals(ids, other.ids) && Arrays.equals(scores, other.scores);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + Arrays.hashCode(scores);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("TopHits[");
    for (int i = 0; i < ids.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(ids[i]).append('=').append(scores[i]);
    }
    return sb.append(']').toString();
  }
}
