package dev.kalm.train.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.kalm.core.internal.model.Autograd;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.model.Attention;
import dev.kalm.core.model.Pooling;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One contrastive step against PyTorch: loss, every gradient norm, loss after one AdamW step (relative 1e-4). */
class TrainParityTest {
  static final double TOLERANCE = 1e-4;

  @Test
  void lossGradientsAndOneAdamWStepMatchPyTorch() {
    TrainFixture fixture = new TrainFixture();
    try (Qwen2Model model = TrainFixture.model()) {
      model.parameters().values().forEach(Autograd::requireGradient);
      double temperature = fixture.reference.get("temperature").getAsDouble();
      ContrastiveStep step = new ContrastiveStep(model, Pooling.MEAN, Attention.CAUSAL, InfoNceLoss.plain(temperature), 512, 0);
      double loss = step.accumulate(fixture.queries, fixture.passages(), 1.0);
      double want = fixture.reference.get("loss_before").getAsDouble();
      System.out.printf("train parity: loss %.8f vs %.8f (rel %.2g)%n", loss, want, Math.abs(loss - want) / want);
      assertEquals(want, loss, want * TOLERANCE);

      double worst = 0;
      for (Map.Entry<String, com.google.gson.JsonElement> e : fixture.reference.getAsJsonObject("grad_norms").entrySet()) {
        NDArray p = model.parameters().get(e.getKey());
        try (NDArray g = p.getGradient()) {
          double norm = Math.sqrt(g.square().sum().getFloat());
          double ref = e.getValue().getAsDouble();
          double relative = Math.abs(norm - ref) / ref;
          worst = Math.max(worst, relative);
          assertTrue(relative <= TOLERANCE, e.getKey() + " grad norm " + norm + " vs " + ref);
        }
      }
      System.out.printf("train parity: worst relative gradient-norm error over %d parameters %.2g%n",
          fixture.reference.getAsJsonObject("grad_norms").size(), worst);

      try (AdamW adam = new AdamW(model.parameters(), new AdamW.Settings(0.9, 0.999, 1e-8, 0.01, true))) {
        adam.update(fixture.reference.get("lr").getAsDouble(), 1.0);
        adam.zeroGradients();
        double after = step.accumulate(fixture.queries, fixture.passages(), 1.0);
        double wantAfter = fixture.reference.get("loss_after_one_step").getAsDouble();
        System.out.printf("train parity: loss after one AdamW step %.8f vs %.8f (rel %.2g)%n", after, wantAfter,
            Math.abs(after - wantAfter) / wantAfter);
        assertEquals(wantAfter, after, wantAfter * TOLERANCE);
        adam.zeroGradients();
      }
    }
  }

  /** Gradients of all parameters after one accumulate call with the given chunk size. */
  static Map<String, float[]> gradients(Qwen2Model model, TrainFixture fixture, InfoNceLoss loss, int chunk) {
    model.parameters().values().forEach(Autograd::zeroGradient);
    new ContrastiveStep(model, Pooling.MEAN, Attention.CAUSAL, loss, 512, chunk)
        .accumulate(fixture.queries, fixture.passages(), 1.0);
    Map<String, float[]> out = new LinkedHashMap<>();
    model.parameters().forEach((name, p) -> {
      try (NDArray g = p.getGradient()) {
        out.put(name, g.toFloatArray());
      }
    });
    return out;
  }
}
