package dev.kalm.data.search;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;

/**
 * {@link SearchConfig.Kernel#MATMUL}: exact search by blocked matrix products on the backend: for each block of queries and each block of
 * documents, {@code scores = Q · Dᵀ} and its top-k on the device, merged into a running top-k per query
 * in Java. Ties at a block's top-k boundary are resolved exactly (lower id first) from the block's row.
 */
final class MatmulVectorIndex implements VectorIndex {
  private final int size;
  private final int dimension;
  private final SearchConfig config;
  /** Documents in row-major blocks of {@code config.docBlock()} rows (the last one shorter). */
  private final float[][] blocks;

  MatmulVectorIndex(float[][] docs, SearchConfig config) {
    checkNotNull(docs, "docs");
    this.config = checkNotNull(config, "config");
    checkArgument(docs.length >= 1, "docs must hold at least one vector, got %s", docs.length);
    checkNotNull(docs[0], "docs[0]");
    this.size = docs.length;
    this.dimension = docs[0].length;
    checkArgument(dimension >= 1, "vectors must have at least one component, got %s", dimension);
    int blockCount = (size + config.docBlock() - 1) / config.docBlock();
    this.blocks = new float[blockCount][];
    for (int b = 0; b < blockCount; b++) {
      int start = b * config.docBlock();
      int rows = Math.min(config.docBlock(), size - start);
      blocks[b] = flatten(docs, start, rows, dimension, "docs");
    }
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public float score(float[] vector, int id) {
    checkArgument(vector.length == dimension, "vector must have %s components, got %s", dimension, vector.length);
    checkArgument(id >= 0 && id < size, "id must be in [0, %s), got %s", size, id);
    float[] block = blocks[id / config.docBlock()];
    int offset = (id % config.docBlock()) * dimension;
    double sum = 0;
    for (int j = 0; j < dimension; j++) {
      sum += (double) vector[j] * block[offset + j];
    }
    return (float) sum;
  }

  @Override
  public SearchResults search(float[][] queries, int k, ProgressListener progress) {
    checkNotNull(queries, "queries");
    checkNotNull(progress, "progress");
    checkArgument(k >= 1, "k must be >= 1, got %s", k);
    int keep = Math.min(k, size);
    StopSignal stop = StopSignal.current();
    int[][] ids = new int[queries.length][];
    float[][] scores = new float[queries.length][];
    try (NDManager root = config.backend().newManager()) {
      for (int qStart = 0; qStart < queries.length; qStart += config.queryBlock()) {
        if (stop.isStopRequested()) {
          throw new StoppedException("stopped after searching " + qStart + " of " + queries.length + " queries");
        }
        int qRows = Math.min(config.queryBlock(), queries.length - qStart);
        float[] queryBlock = flatten(queries, qStart, qRows, dimension, "queries");
        RunningTopK running = new RunningTopK(qRows, keep);
        try (NDManager queryManager = root.newSubManager()) {
          NDArray q = queryManager.create(queryBlock, new Shape(qRows, dimension));
          for (int b = 0; b < blocks.length; b++) {
            searchBlock(q, qRows, b, keep, running);
          }
        }
        for (int r = 0; r < qRows; r++) {
          ids[qStart + r] = running.ids[r];
          scores[qStart + r] = running.scores[r];
        }
        progress.progress(qStart + qRows, queries.length);
      }
    }
    return new SearchResults(ids, scores);
  }

  private void searchBlock(NDArray q, int qRows, int block, int keep, RunningTopK running) {
    int docStart = block * config.docBlock();
    int dRows = blocks[block].length / dimension;
    int kb = Math.min(keep, dRows);
    // One more than needed: if the (kb+1)-th equals the kb-th, a tie straddles the boundary.
    int requested = kb < dRows ? kb + 1 : kb;
    try (NDManager blockManager = q.getManager().newSubManager()) {
      NDArray d = blockManager.create(blocks[block], new Shape(dRows, dimension));
      NDArray s = q.matMul(d.transpose());
      s.attach(blockManager); // results attach to the first operand's manager: move it to the block's
      NDList top = s.topK(requested, 1, true, true);
      float[] values = top.get(0).toFloatArray();
      long[] indices = top.get(1).toLongArray();
      int[] candIds = new int[kb];
      float[] candScores = new float[kb];
      for (int r = 0; r < qRows; r++) {
        int base = r * requested;
        if (requested > kb && values[base + kb] == values[base + kb - 1]) {
          selectExactly(s.get(r).toFloatArray(), values[base + kb - 1], kb, docStart, candIds, candScores);
        } else {
          for (int i = 0; i < kb; i++) {
            candIds[i] = docStart + (int) indices[base + i];
            candScores[i] = values[base + i];
          }
        }
        sortBestFirst(candIds, candScores, kb);
        running.merge(r, candIds, candScores, kb);
      }
    }
  }

  /** The kb best of a row whose kb-th best value is {@code threshold}: all above it, then ties by lower id. */
  private static void selectExactly(float[] row, float threshold, int kb, int docStart, int[] ids, float[] scores) {
    int n = 0;
    for (int j = 0; j < row.length; j++) {
      if (row[j] > threshold) {
        ids[n] = docStart + j;
        scores[n++] = row[j];
      }
    }
    for (int j = 0; j < row.length && n < kb; j++) {
      if (row[j] == threshold) {
        ids[n] = docStart + j;
        scores[n++] = row[j];
      }
    }
  }

  /** Insertion sort by (score desc, id asc): the input is nearly sorted, only ties move. */
  private static void sortBestFirst(int[] ids, float[] scores, int n) {
    for (int i = 1; i < n; i++) {
      int id = ids[i];
      float score = scores[i];
      int j = i - 1;
      while (j >= 0 && TopHits.better(score, id, scores[j], ids[j])) {
        ids[j + 1] = ids[j];
        scores[j + 1] = scores[j];
        j--;
      }
      ids[j + 1] = id;
      scores[j + 1] = score;
    }
  }

  private static float[] flatten(float[][] rows, int start, int count, int dimension, String name) {
    float[] flat = new float[count * dimension];
    for (int i = 0; i < count; i++) {
      float[] row = rows[start + i];
      checkNotNull(row, "%s[%s]", name, start + i);
      checkArgument(row.length == dimension, "%s[%s] must have %s components, got %s", name, start + i, dimension,
          row.length);
      System.arraycopy(row, 0, flat, i * dimension, dimension);
    }
    return flat;
  }

  /** Per query of a block, the best {@code keep} (id, score) pairs seen so far, best first. */
  private static final class RunningTopK {
    final int[][] ids;
    final float[][] scores;
    final int keep;

    RunningTopK(int queries, int keep) {
      this.keep = keep;
      ids = new int[queries][0];
      scores = new float[queries][0];
    }

    void merge(int r, int[] candIds, float[] candScores, int m) {
      int[] oldIds = ids[r];
      float[] oldScores = scores[r];
      int n = Math.min(keep, oldIds.length + m);
      int[] newIds = new int[n];
      float[] newScores = new float[n];
      int a = 0;
      int b = 0;
      for (int i = 0; i < n; i++) {
        boolean takeOld = b >= m
            || (a < oldIds.length && TopHits.better(oldScores[a], oldIds[a], candScores[b], candIds[b]));
        if (takeOld) {
          newIds[i] = oldIds[a];
          newScores[i] = oldScores[a++];
        } else {
          newIds[i] = candIds[b];
          newScores[i] = candScores[b++];
        }
      }
      ids[r] = newIds;
      scores[r] = newScores;
    }
  }
}
