package dev.kalm.train.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.internal.model.Autograd;
import dev.kalm.core.internal.model.Qwen2Model;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** GradCache's gradient equals the plain pass's within 1e-5 relative, for any chunk size and Matryoshka setting. */
class GradCachePropertyTest {
  static final TrainFixture FIXTURE = new TrainFixture();
  static final Qwen2Model MODEL = TrainFixture.model();

  static {
    MODEL.parameters().values().forEach(Autograd::requireGradient);
  }

  @Property(tries = 8)
  void gradCacheEqualsPlainGradient(@ForAll @IntRange(min = 1, max = 11) int chunk, @ForAll boolean matryoshka) {
    InfoNceLoss loss = matryoshka
        ? InfoNceLoss.matryoshka(0.05, new int[] {64, 32, 16}, new double[] {1, 0.3, 0.2})
        : InfoNceLoss.plain(0.02);
    Map<String, float[]> plain = TrainParityTest.gradients(MODEL, FIXTURE, loss, 0);
    Map<String, float[]> cached = TrainParityTest.gradients(MODEL, FIXTURE, loss, chunk);
    double diff = 0;
    double norm = 0;
    for (String name : plain.keySet()) {
      float[] a = plain.get(name);
      float[] b = cached.get(name);
      for (int i = 0; i < a.length; i++) {
        diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
        norm += a[i] * (double) a[i];
      }
    }
    double relative = Math.sqrt(diff / norm);
    assertTrue(relative <= 1e-5, "chunk " + chunk + ": relative difference " + relative);
  }
}
