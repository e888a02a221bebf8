package dev.kalm.data.search;

import static com.google.common.base.Preconditions.checkElementIndex;

import java.util.Arrays;
import java.util.List;

/**
 * The top-k documents of each query of a search, best first: higher score first, and for equal scores
 * the lower document id first. Immutable and thread-safe.
 */
public final class SearchResults {
  private final int[][] ids;
  private final float[][] scores;

  SearchResults(int[][] ids, float[][] scores) {
    this.ids = ids;
    this.scores = scores;
  }

  /** Results made of one {@link TopHits} per query, in query order (e.g. merged block results). */
  public static SearchResults of(List<TopHits> perQuery) {
    int[][] ids = new int[perQuery.size()][];
    float[][] scores = new float[perQuery.size()][];
    for (int q = 0; q < ids.length; q++) {
      TopHits hits = perQuery.get(q);
      ids[q] = hits.ids();
      scores[q] = hits.scores();
    }
    return new SearchResults(ids, scores);
  }

  /** A query's hits as a value, e.g. to {@link TopHits#merge} with the hits of other blocks. */
  public TopHits hits(int query) {
    checkElementIndex(query, ids.length, "query");
    return new TopHits(ids[query], scores[query]);
  }

  /** Number of queries. */
  public int queries() {
    return ids.length;
  }

  /** Number of results of a query: {@code min(k, corpus size)}. */
  public int count(int query) {
    checkElementIndex(query, ids.length, "query");
    return ids[query].length;
  }

  /** The document id at a 0-based rank of a query's list. */
  public int id(int query, int rank) {
    checkElementIndex(query, ids.length, "query");
    checkElementIndex(rank, ids[query].length, "rank");
    return ids[query][rank];
  }

  /** The inner product at a 0-based rank of a query's list. */
  public float score(int query, int rank) {
    checkElementIndex(query, ids.length, "query");
    checkElementIndex(rank, scores[query].length, "rank");
    return scores[query][rank];
  }

  /** A copy of a query's document ids, best first. */
  public int[] ids(int query) {
    checkElementIndex(query, ids.length, "query");
    return ids[query].clone();
  }

  /** A copy of a query's scores, best first (non-increasing). */
  public float[] scores(int query) {
    checkElementIndex(query, scores.length, "query");
    return scores[query].clone();
  }

  @Override
  public String toString() {
    return "SearchResults{queries=" + ids.length + (ids.length == 0 ? "" : ", first=" + Arrays.toString(ids[0])) + "}";
  }
}
