package dev.kalm.train.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.kalm.core.internal.device.Devices;
import dev.kalm.core.internal.model.Autograd;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.internal.model.Scalars;
import dev.kalm.core.model.Attention;
import dev.kalm.core.model.Pooling;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * For a per-example loss (each query against its own passages only), accumulating k micro-batches with
 * scale 1/k gives the gradient of the mean loss computed as one batch in one backward pass.
 */
class AccumulationTest {
  static final TrainFixture FIXTURE = new TrainFixture();
  static final Qwen2Model MODEL = TrainFixture.model();

  static {
    MODEL.parameters().values().forEach(Autograd::requireGradient);
  }

  @Property(tries = 4)
  void accumulatedMicroBatchesEqualOneBigBatch(@ForAll @IntRange(min = 1, max = 4) int k) {
    InfoNceLoss loss = InfoNceLoss.plain(0.05);
    ContrastiveStep step = new ContrastiveStep(MODEL, Pooling.MEAN, Attention.CAUSAL, loss, 512, 0);
    MODEL.parameters().values().forEach(Autograd::zeroGradient);
    for (int i = 0; i < k; i++) {
      step.accumulate(List.of(FIXTURE.queries.get(i)), List.of(FIXTURE.positives.get(i), FIXTURE.negatives.get(i)), 1.0 / k);
    }
    Map<String, float[]> accumulated = gradients();

    MODEL.parameters().values().forEach(Autograd::zeroGradient);
    Autograd.withGradMode(true, () -> {
      try (NDManager m = Devices.newManager(MODEL.backend())) {
        NDArray total = null;
        for (int i = 0; i < k; i++) {
          NDArray l = loss.compute(step.pooled(m, List.of(FIXTURE.queries.get(i))),
              step.pooled(m, List.of(FIXTURE.positives.get(i), FIXTURE.negatives.get(i))));
          total = total == null ? l : total.add(l);
        }
        Autograd.backward(Scalars.div(total, k));
      }
    });
    Map<String, float[]> big = gradients();
    double diff = 0;
    double norm = 0;
    for (String name : big.keySet()) {
      for (int j = 0; j < big.get(name).length; j++) {
        double d = big.get(name)[j] - accumulated.get(name)[j];
        diff += d * d;
        norm += big.get(name)[j] * (double) big.get(name)[j];
      }
    }
    assertTrue(Math.sqrt(diff / norm) <= 1e-5, "k=" + k + " relative difference " + Math.sqrt(diff / norm));
  }

  private static Map<String, float[]> gradients() {
    Map<String, float[]> out = new LinkedHashMap<>();
    MODEL.parameters().forEach((name, p) -> {
      try (NDArray g = p.getGradient()) {
        out.put(name, g.toFloatArray());
      }
    });
    return out;
  }
}
