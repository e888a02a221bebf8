package dev.kalm.train.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.kalm.core.internal.device.Devices;
import dev.kalm.core.internal.model.Autograd;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.model.Attention;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.testing.FreedMemory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A garbage collection between the recorded forward pass (model, pooling, Matryoshka InfoNCE) and backward
 * leaves every gradient unchanged: nothing autograd saved may live in Java memory that the collector can free.
 */
class CollectionBeforeBackwardTest {
  @Test
  void gradientsDoNotDependOnTheCollector() {
    TrainFixture fixture = new TrainFixture();
    try (Qwen2Model model = TrainFixture.model()) {
      model.parameters().values().forEach(Autograd::requireGradient);
      InfoNceLoss loss = InfoNceLoss.matryoshka(0.05, new int[] {64, 32, 16}, new double[] {1, 0.3, 0.2});
      Map<String, float[]> undisturbed = TrainParityTest.gradients(model, fixture, loss, 0);

      model.parameters().values().forEach(Autograd::zeroGradient);
      ContrastiveStep step = new ContrastiveStep(model, Pooling.MEAN, Attention.CAUSAL, loss, 512, 0);
      Autograd.withGradMode(true, () -> {
        try (NDManager manager = Devices.newManager(model.backend())) {
          NDArray value = loss.compute(step.pooled(manager, fixture.queries), step.pooled(manager, fixture.passages()));
          FreedMemory.collectAndOverwrite();
          Autograd.backward(value);
        }
      });
      model.parameters().forEach((name, p) -> {
        float[] want = undisturbed.get(name);
        try (NDArray g = p.getGradient()) {
          float[] got = g.toFloatArray();
          for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(got[i] - want[i]) <= 1e-6f * (1 + Math.abs(want[i])),
                name + "[" + i + "]: gradient " + got[i] + " after a collection, " + want[i] + " without");
          }
        }
      });
    }
  }
}
