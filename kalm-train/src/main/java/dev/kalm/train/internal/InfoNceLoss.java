package dev.kalm.train.internal;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.google.common.primitives.Doubles;
import com.google.common.primitives.Ints;
import dev.kalm.core.internal.embed.Pooler;
import dev.kalm.core.internal.model.Scalars;
import java.util.List;

/**
 * InfoNCE over cosine similarities, with optional Matryoshka terms. Every query is scored against every
 * passage of the batch; query {@code i}'s target is passage {@code i} (so the caller puts each query's
 * positive first, in query order, and hard negatives after). With Matryoshka dims, the loss is the weighted
 * sum of that loss on each L2-renormalised prefix. Immutable and thread-safe.
 *
 * @param temperature the softmax temperature tau (scores are cos / tau)
 * @param dims prefix lengths, each in [1, hidden]; empty means the full vector only
 * @param weights one weight per dim
 */
public record InfoNceLoss(double temperature, List<Integer> dims, List<Double> weights) {
  public InfoNceLoss {
    checkArgument(temperature > 0, "temperature must be > 0, got %s", temperature);
    checkArgument(dims.size() == weights.size(), "need one weight per Matryoshka dim: %s dims, %s weights", dims.size(),
        weights.size());
    dims = List.copyOf(dims);
    weights = List.copyOf(weights);
    dims.forEach(d -> checkArgument(d > 0, "Matryoshka dims must be > 0, got %s", d));
  }

  /** Plain InfoNCE on the full vectors. */
  public static InfoNceLoss plain(double temperature) {
    return new InfoNceLoss(temperature, List.of(), List.of());
  }

  /** InfoNCE with Matryoshka prefixes. */
  public static InfoNceLoss matryoshka(double temperature, int[] dims, double[] weights) {
    return new InfoNceLoss(temperature, Ints.asList(dims), Doubles.asList(weights));
  }

  /**
   * The loss, a scalar float32 array.
   *
   * @param queries pooled, un-normalised query vectors {@code [B, H]}
   * @param passages pooled, un-normalised passage vectors {@code [N, H]}, N >= B, row i the positive of query i
   */
  public NDArray compute(NDArray queries, NDArray passages) {
    long b = queries.getShape().get(0);
    long n = passages.getShape().get(0);
    long hidden = queries.getShape().get(1);
    checkArgument(n >= b, "need at least one passage per query: %s queries, %s passages", b, n);
    float[] target = new float[Math.toIntExact(b * n)];
    for (int i = 0; i < b; i++) {
      target[(int) (i * n + i)] = 1f;
    }
    NDArray oneHot = queries.getManager().create(target, new Shape(b, n));
    if (dims.isEmpty()) {
      return term(queries, passages, oneHot, 0);
    }
    NDArray total = null;
    for (int k = 0; k < dims.size(); k++) {
      checkArgument(dims.get(k) <= hidden, "Matryoshka dim %s exceeds the hidden size %s", dims.get(k), hidden);
      NDArray weighted = Scalars.mul(term(queries, passages, oneHot, dims.get(k)), weights.get(k));
      total = total == null ? weighted : total.add(weighted);
    }
    return total;
  }

  private NDArray term(NDArray queries, NDArray passages, NDArray oneHot, int dim) {
    NDArray q = Pooler.truncateAndNormalize(queries, dim, true);
    NDArray p = Pooler.truncateAndNormalize(passages, dim, true);
    NDArray logProbabilities = Scalars.mul(q.matMul(p.transpose()), 1.0 / temperature).logSoftmax(1);
    return Scalars.div(logProbabilities.mul(oneHot).sum().neg(), queries.getShape().get(0));
  }
}
