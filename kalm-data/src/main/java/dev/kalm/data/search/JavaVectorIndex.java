package dev.kalm.data.search;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kalm.core.progress.ProgressListener;
import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * {@link SearchConfig.Kernel#JAVA}: exact top-k in plain Java. Queries are cut into blocks searched in
 * parallel; each block streams over the documents in blocks, scores a {@code queryBlock x docBlock} tile
 * with a 4x2 register-blocked kernel (about 4x the speed of one dot product at a time) and feeds a
 * bounded heap per query. Every score is summed in float32 in dimension order ({@link #dot}), so it does
 * not depend on the blocks, the threads or the machine. Memory per worker: one tile plus {@code k} hits
 * per query; never {@code queries x documents}.
 */
final class JavaVectorIndex implements VectorIndex {
  private final float[][] docs;
  private final int dimension;
  private final SearchConfig config;

  JavaVectorIndex(float[][] docs, SearchConfig config) {
    checkNotNull(docs, "docs");
    this.config = checkNotNull(config, "config");
    checkArgument(docs.length >= 1, "docs must hold at least one vector, got %s", docs.length);
    checkNotNull(docs[0], "docs[0]");
    this.dimension = docs[0].length;
    checkArgument(dimension >= 1, "vectors must have at least one component, got %s", dimension);
    this.docs = new float[docs.length][];
    for (int i = 0; i < docs.length; i++) {
      checkRow(docs, i, dimension, "docs");
      this.docs[i] = docs[i].clone();
    }
  }

  @Override
  public int size() {
    return docs.length;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  /** Bit-identical to the score the search gives document {@code id}. */
  @Override
  public float score(float[] vector, int id) {
    checkArgument(vector.length == dimension, "vector must have %s components, got %s", dimension, vector.length);
    checkArgument(id >= 0 && id < docs.length, "id must be in [0, %s), got %s", docs.length, id);
    return dot(vector, docs[id]);
  }

  @Override
  public SearchResults search(float[][] queries, int k, ProgressListener progress) {
    checkNotNull(queries, "queries");
    checkNotNull(progress, "progress");
    checkArgument(k >= 1, "k must be >= 1, got %s", k);
    for (int q = 0; q < queries.length; q++) {
      checkRow(queries, q, dimension, "queries");
    }
    int keep = Math.min(k, docs.length);
    int[][] ids = new int[queries.length][];
    float[][] scores = new float[queries.length][];
    int queryBlock = config.queryBlock();
    int docBlock = config.docBlock();
    int blocks = (queries.length + queryBlock - 1) / queryBlock;
    long[] done = {0};
    StopSignal stop = StopSignal.current(); // of the calling thread; the blocks run on pool threads
    IntStream.range(0, blocks).parallel().forEach(b -> {
      if (stop.isStopRequested()) {
        throw new StoppedException("stopped after searching " + done[0] + " of " + queries.length + " queries");
      }
      int q0 = b * queryBlock;
      int q1 = Math.min(queries.length, q0 + queryBlock);
      Heap[] heaps = new Heap[q1 - q0];
      for (int q = q0; q < q1; q++) {
        heaps[q - q0] = new Heap(keep);
      }
      float[] tile = new float[(q1 - q0) * Math.min(docBlock, docs.length)];
      for (int d0 = 0; d0 < docs.length; d0 += docBlock) {
        int d1 = Math.min(docs.length, d0 + docBlock);
        scoreTile(queries, q0, q1, d0, d1, tile);
        int width = d1 - d0;
        for (int q = q0; q < q1; q++) {
          Heap heap = heaps[q - q0];
          int row = (q - q0) * width;
          for (int j = 0; j < width; j++) {
            heap.offer(d0 + j, tile[row + j]);
          }
        }
      }
      for (int q = q0; q < q1; q++) {
        heaps[q - q0].sortedInto(ids, scores, q);
      }
      synchronized (done) {
        done[0] += q1 - q0;
        progress.progress(done[0], queries.length);
      }
    });
    return new SearchResults(ids, scores);
  }

  /** Scores of queries [q0, q1) against documents [d0, d1) into {@code tile}, row-major by query. */
  private void scoreTile(float[][] queries, int q0, int q1, int d0, int d1, float[] tile) {
    int width = d1 - d0;
    int q = q0;
    for (; q + 4 <= q1; q += 4) {
      int d = d0;
      for (; d + 2 <= d1; d += 2) {
        kernel4x2(queries, q, docs, d, tile, (q - q0) * width + d - d0, width);
      }
      for (; d < d1; d++) {
        for (int r = 0; r < 4; r++) {
          tile[(q + r - q0) * width + d - d0] = dot(queries[q + r], docs[d]);
        }
      }
    }
    for (; q < q1; q++) {
      for (int d = d0; d < d1; d++) {
        tile[(q - q0) * width + d - d0] = dot(queries[q], docs[d]);
      }
    }
  }

  /** Dot product in float32, summed in index order: the score of this kernel. */
  static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /**
   * Dot products of queries {@code q..q+3} with documents {@code d, d+1} into {@code out[at + r * stride + c]};
   * eight independent sums, each in dimension order (bit-identical to {@link #dot}), four times fewer
   * loads per multiply than one dot product at a time.
   */
  private static void kernel4x2(float[][] queries, int q, float[][] docs, int d, float[] out, int at, int stride) {
    float[] a0 = queries[q], a1 = queries[q + 1], a2 = queries[q + 2], a3 = queries[q + 3];
    float[] b0 = docs[d], b1 = docs[d + 1];
    float s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
    for (int i = 0; i < b0.length; i++) {
      float x0 = b0[i], x1 = b1[i];
      float y = a0[i];
      s00 += y * x0;
      s01 += y * x1;
      y = a1[i];
      s10 += y * x0;
      s11 += y * x1;
      y = a2[i];
      s20 += y * x0;
      s21 += y * x1;
      y = a3[i];
      s30 += y * x0;
      s31 += y * x1;
    }
    out[at] = s00;
    out[at + 1] = s01;
    out[at + stride] = s10;
    out[at + stride + 1] = s11;
    out[at + 2 * stride] = s20;
    out[at + 2 * stride + 1] = s21;
    out[at + 3 * stride] = s30;
    out[at + 3 * stride + 1] = s31;
  }

  private static void checkRow(float[][] rows, int i, int dimension, String name) {
    checkNotNull(rows[i], "%s[%s]", name, i);
    checkArgument(rows[i].length == dimension, "%s[%s] must have %s components, got %s", name, i, dimension,
        rows[i].length);
  }

  /** A bounded heap whose root is the worst kept hit (lowest score, then highest id). */
  private static final class Heap {
    private final int capacity;
    private final int[] ids;
    private final float[] scores;
    private int size;

    Heap(int capacity) {
      this.capacity = capacity;
      this.ids = new int[capacity];
      this.scores = new float[capacity];
    }

    void offer(int id, float score) {
      if (size < capacity) {
        int i = size++;
        while (i > 0) {
          int parent = (i - 1) >>> 1;
          if (!TopHits.better(scores[parent], ids[parent], score, id)) {
            break;
          }
          ids[i] = ids[parent];
          scores[i] = scores[parent];
          i = parent;
        }
        ids[i] = id;
        scores[i] = score;
      } else if (TopHits.better(score, id, scores[0], ids[0])) {
        int i = 0;
        while (true) {
          int child = 2 * i + 1;
          if (child >= size) {
            break;
          }
          if (child + 1 < size && TopHits.better(scores[child], ids[child], scores[child + 1], ids[child + 1])) {
            child++;
          }
          if (!TopHits.better(score, id, scores[child], ids[child])) {
            break;
          }
          ids[i] = ids[child];
          scores[i] = scores[child];
          i = child;
        }
        ids[i] = id;
        scores[i] = score;
      }
    }

    /** The kept hits, best first, into row {@code q} of the result arrays. */
    void sortedInto(int[][] outIds, float[][] outScores, int q) {
      Integer[] order = new Integer[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> TopHits.better(scores[a], ids[a], scores[b], ids[b]) ? -1
          : TopHits.better(scores[b], ids[b], scores[a], ids[a]) ? 1 : 0);
      outIds[q] = new int[size];
      outScores[q] = new float[size];
      for (int i = 0; i < size; i++) {
        outIds[q][i] = ids[order[i]];
        outScores[q][i] = scores[order[i]];
      }
    }
  }
}
