package dev.kalm.examples.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.kalm.core.device.Backend;

/** The fact about this machine that benchmarks report beside their figures: its matmul peak. */
public final class Machine {
  private Machine() {}

  /**
   * The float32 matrix-multiply rate of {@code backend} in GFLOP/s: best of several {@code n x n} products
   * (2 n^3 flops each) after a warm-up.
   */
  public static double matmulGflops(Backend backend, int n) {
    try (NDManager m = backend.newManager()) {
      NDArray a = m.randomNormal(new Shape(n, n));
      NDArray b = m.randomNormal(new Shape(n, n));
      a.matMul(b).close();
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        long start = System.nanoTime();
        NDArray c = a.matMul(b);
        c.toFloatArray(); // forces completion on asynchronous devices
        best = Math.min(best, (System.nanoTime() - start) / 1e9);
        c.close();
      }
      return 2.0 * n * n * n / best / 1e9;
    }
  }
}
