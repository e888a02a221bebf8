package dev.kalm.data.search;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.kalm.core.device.Backend;
import dev.kalm.core.device.Backends;
import dev.kalm.core.internal.device.Devices;
import java.util.Random;

/**
 * Throughput of the exact vector search against the machine's fp32 matrix-multiply peak, measured in
 * the same run. Not a test (run by hand):
 *
 * <pre>
 * java -cp kalm-data/target/test-classes:kalm-data/target/classes:$(cat cp.txt) \
 *     dev.kalm.data.search.SearchBenchmark [docs] [queries] [dim] [k] [queryBlock] [docBlock] [matmul|java]
 * </pre>
 *
 * Prints query-document scores per second, the matmul peak in GFLOP/s, and the search's efficiency:
 * scores/s divided by (peak FLOP/s / (2 x dim)), the scores/s a pure matrix product would reach.
 */
public final class SearchBenchmark {
  private SearchBenchmark() {}

  public static void main(String[] args) {
    int docs = arg(args, 0, 50_000);
    int queries = arg(args, 1, 2_048);
    int dim = arg(args, 2, 896);
    int k = arg(args, 3, 100);
    SearchConfig.Kernel kernel = args.length > 6 ? SearchConfig.Kernel.valueOf(args[6].toUpperCase(java.util.Locale.ROOT))
        : SearchConfig.Kernel.MATMUL;
    boolean plain = kernel == SearchConfig.Kernel.JAVA;
    int queryBlock = arg(args, 4, plain ? SearchConfig.DEFAULT_JAVA_BLOCK : SearchConfig.DEFAULT_QUERY_BLOCK);
    int docBlock = arg(args, 5, plain ? SearchConfig.DEFAULT_JAVA_BLOCK : SearchConfig.DEFAULT_DOC_BLOCK);
    Backend backend = Backends.cpu();

    double peak = matmulPeak(backend, 2048, 5);
    System.out.printf("fp32 matmul peak (2048^3, best of 5): %.1f GFLOP/s%n", peak / 1e9);

    Random random = new Random(1);
    float[][] d = VectorIndexContract.normalised(random, docs, dim);
    float[][] q = VectorIndexContract.normalised(random, queries, dim);
    VectorIndex index = VectorIndexes.exact(d,
        SearchConfig.builder().queryBlock(queryBlock).docBlock(docBlock).backend(backend).kernel(kernel).build());
    index.search(java.util.Arrays.copyOf(q, Math.min(queries, queryBlock)), k); // warm-up
    double best = Double.MAX_VALUE;
    for (int rep = 0; rep < 3; rep++) {
      long start = System.nanoTime();
      index.search(q, k);
      best = Math.min(best, (System.nanoTime() - start) / 1e9);
    }
    double scoresPerSecond = (double) docs * queries / best;
    double matmulBound = peak / (2.0 * dim);
    System.out.printf("search (%s): %d docs x %d queries x dim %d, top-%d, blocks %d x %d: %.3f s (best of 3)%n",
        kernel, docs, queries, dim, k, queryBlock, docBlock, best);
    System.out.printf("  %.3g scores/s = %.1f GFLOP/s; matmul bound %.3g scores/s; efficiency %.0f %%%n",
        scoresPerSecond, scoresPerSecond * 2 * dim / 1e9, matmulBound, 100 * scoresPerSecond / matmulBound);
  }

  /** Best FLOP/s of an n x n x n fp32 matrix product on the backend. */
  static double matmulPeak(Backend backend, int n, int reps) {
    try (NDManager manager = Devices.newManager(backend)) {
      NDArray a = manager.randomNormal(new Shape(n, n));
      NDArray b = manager.randomNormal(new Shape(n, n));
      double best = Double.MAX_VALUE;
      for (int rep = 0; rep <= reps; rep++) {
        try (NDManager scope = manager.newSubManager()) {
          long start = System.nanoTime();
          NDArray c = a.matMul(b);
          c.attach(scope);
          c.toFloatArray(); // forces completion (and a copy of n^2 floats, small next to 2n^3 FLOP)
          double seconds = (System.nanoTime() - start) / 1e9;
          if (rep > 0) {
            best = Math.min(best, seconds);
          }
        }
      }
      return 2.0 * n * n * n / best;
    }
  }

  private static int arg(String[] args, int i, int fallback) {
    return args.length > i ? Integer.parseInt(args[i]) : fallback;
  }
}
