package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.stream.IntStream;

/**
 * Exact top-k by dot product in plain Java: queries are cut into blocks (searched in parallel), each block
 * streams over the documents in blocks, scores one tile at a time and keeps a bounded heap per query.
 * Memory: one {@code queryBlock x docBlock} tile per worker plus {@code k} entries per query.
 */
final class ExactTopKSearch implements VectorSearch {
  private final int queryBlock;
  private final int docBlock;

  ExactTopKSearch(int queryBlock, int docBlock) {
    checkArgument(queryBlock >= 1, "queryBlock must be >= 1, got %s", queryBlock);
    checkArgument(docBlock >= 1, "docBlock must be >= 1, got %s", docBlock);
    this.queryBlock = queryBlock;
    this.docBlock = docBlock;
  }

  @Override
  public Hits[] search(float[][] queries, float[][] docs, int k) {
    checkArgument(k >= 1, "k must be >= 1, got %s", k);
    int keep = Math.min(k, docs.length);
    Hits[] out = new Hits[queries.length];
    int blocks = (queries.length + queryBlock - 1) / queryBlock;
    IntStream.range(0, blocks).parallel().forEach(b -> {
      int q0 = b * queryBlock;
      int q1 = Math.min(queries.length, q0 + queryBlock);
      Heap[] heaps = new Heap[q1 - q0];
      for (int q = q0; q < q1; q++) {
        heaps[q - q0] = new Heap(keep);
      }
      float[] tile = new float[(q1 - q0) * docBlock];
      for (int d0 = 0; d0 < docs.length; d0 += docBlock) {
        int d1 = Math.min(docs.length, d0 + docBlock);
        int width = d1 - d0;
        for (int q = q0; q < q1; q++) {
          float[] qv = queries[q];
          int row = (q - q0) * width;
          for (int d = d0; d < d1; d++) {
            tile[row + d - d0] = Vectors.dot(qv, docs[d]);
          }
        }
        for (int q = q0; q < q1; q++) {
          Heap heap = heaps[q - q0];
          int row = (q - q0) * width;
          for (int d = d0; d < d1; d++) {
            heap.offer(d, tile[row + d - d0]);
          }
        }
      }
      for (int q = q0; q < q1; q++) {
        out[q] = heaps[q - q0].sorted();
      }
    });
    return out;
  }

  /**
   * A bounded heap whose root is the worst kept hit: lowest score, and among equal scores the highest
   * document index.
   */
  private static final class Heap {
    private final int capacity;
    private final int[] docs;
    private final float[] scores;
    private int size;

    Heap(int capacity) {
      this.capacity = capacity;
      this.docs = new int[capacity];
      this.scores = new float[capacity];
    }

    /** True when hit (da, sa) ranks below hit (db, sb). */
    private static boolean worse(int da, float sa, int db, float sb) {
      return sa < sb || (sa == sb && da > db);
    }

    void offer(int doc, float score) {
      if (capacity == 0) {
        return;
      }
      if (size < capacity) {
        int i = size++;
        while (i > 0) {
          int parent = (i - 1) >>> 1;
          if (!worse(doc, score, docs[parent], scores[parent])) {
            break;
          }
          docs[i] = docs[parent];
          scores[i] = scores[parent];
          i = parent;
        }
        docs[i] = doc;
        scores[i] = score;
      } else if (worse(docs[0], scores[0], doc, score)) {
        int i = 0;
        while (true) {
          int child = 2 * i + 1;
          if (child >= size) {
            break;
          }
          if (child + 1 < size && worse(docs[child + 1], scores[child + 1], docs[child], scores[child])) {
            child++;
          }
          if (!worse(docs[child], scores[child], doc, score)) {
            break;
          }
          docs[i] = docs[child];
          scores[i] = scores[child];
          i = child;
        }
        docs[i] = doc;
        scores[i] = score;
      }
    }

    /** The kept hits, best first (score descending, then document index ascending). */
    Hits sorted() {
      Integer[] order = new Integer[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> worse(docs[a], scores[a], docs[b], scores[b]) ? 1
          : worse(docs[b], scores[b], docs[a], scores[a]) ? -1 : 0);
      int[] d = new int[size];
      float[] s = new float[size];
      for (int i = 0; i < size; i++) {
        d[i] = docs[order[i]];
        s[i] = scores[order[i]];
      }
      return new Hits(d, s);
    }
  }
}
