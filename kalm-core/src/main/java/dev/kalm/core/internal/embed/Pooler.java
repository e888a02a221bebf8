package dev.kalm.core.internal.embed;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.kalm.core.internal.model.Scalars;
import dev.kalm.core.model.Pooling;

/**
 * Pooling, Matryoshka truncation and L2 normalisation on the device, as differentiable operations (the
 * trainer uses them too). Stateless.
 */
public final class Pooler {
  private static final float NORM_FLOOR = 1e-12f;

  private Pooler() {}

  /**
   * Per-row pooling weights for a padding mask: mean gives {@code 1/len} on real tokens, last a one-hot on
   * the last real token, first a one-hot on the first real token, mean_sqrt_len {@code 1/sqrt(len)}, weighted
   * mean {@code (t+1) / sum(t'+1)} over the real positions {@code t}. A row without tokens gets all zeros.
   *
   * @param mask 1 for real tokens, 0 for padding, row-major {@code [rows, length]}; any padding side
   */
  public static float[] weights(Pooling pooling, float[] mask, int rows, int length) {
    return weights(pooling, mask, rows, length, 0);
  }

  /**
   * Like {@link #weights(Pooling, float[], int, int)}, leaving out each row's first {@code promptTokens} real
   * tokens, as sentence-transformers' {@code Pooling} does with {@code include_prompt: false} (the tokens still
   * take part in attention; they only do not count in the pooled vector).
   *
   * @throws IllegalArgumentException if {@code promptTokens < 0} or the mask size is not {@code rows x length}
   */
  public static float[] weights(Pooling pooling, float[] mask, int rows, int length, int promptTokens) {
    checkArgument(mask.length == rows * length, "mask has %s entries, expected %s x %s", mask.length, rows, length);
    checkArgument(promptTokens >= 0, "promptTokens must be >= 0, got %s", promptTokens);
    float[] w = new float[mask.length];
    for (int r = 0; r < rows; r++) {
      int base = r * length;
      int first = -1;
      int last = -1;
      int count = 0;
      double positionSum = 0;
      int seen = 0;
      boolean[] counted = new boolean[length];
      for (int t = 0; t < length; t++) {
        if (mask[base + t] != 0 && seen++ >= promptTokens) {
          counted[t] = true;
          count++;
          positionSum += t + 1;
          last = t;
          if (first < 0) {
            first = t;
          }
        }
      }
      if (count == 0) {
        continue;
      }
      int n = count;
      double positions = positionSum;
      switch (pooling) {
        case MEAN -> fill(w, base, counted, t -> 1f / n);
        case MEAN_SQRT_LEN -> fill(w, base, counted, t -> 1 / Math.sqrt(n));
        case WEIGHTED_MEAN -> fill(w, base, counted, t -> (t + 1) / positions);
        case LAST -> w[base + last] = 1f;
        case FIRST -> w[base + first] = 1f;
        default -> throw new AssertionError(pooling);
      }
    }
    return w;
  }

  private static void fill(float[] w, int base, boolean[] counted, java.util.function.IntToDoubleFunction weight) {
    for (int t = 0; t < counted.length; t++) {
      if (counted[t]) {
        w[base + t] = (float) weight.applyAsDouble(t);
      }
    }
  }

  /** {@code [rows, hidden]}: the weighted sum of {@code hidden [rows, length, hidden]} with {@code weights [rows, length]}. */
  public static NDArray pool(NDArray hidden, NDArray weights) {
    Shape s = hidden.getShape();
    return weights.reshape(s.get(0), 1, s.get(1)).matMul(hidden).reshape(s.get(0), s.get(2));
  }

  /**
   * The first {@code dimension} components (0 = all), L2-normalised when asked ({@code v / max(|v|, 1e-12)},
   * so a zero vector stays zero).
   */
  public static NDArray truncateAndNormalize(NDArray pooled, int dimension, boolean normalize) {
    NDArray v = dimension > 0 && dimension < pooled.getShape().get(1) ? pooled.get(":, :" + dimension) : pooled;
    if (!normalize) {
      return v;
    }
    // |v| as sqrt(max(sum v^2, floor^2)): unlike norm(), its gradient stays finite for a zero vector.
    return v.div(Scalars.maximum(v.square().sum(new int[] {1}, true), NORM_FLOOR * NORM_FLOOR).sqrt());
  }
}
