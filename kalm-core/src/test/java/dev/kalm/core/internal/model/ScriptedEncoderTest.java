package dev.kalm.core.internal.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.kalm.core.device.Backends;
import dev.kalm.core.internal.device.Devices;
import dev.kalm.core.model.Attention;
import dev.kalm.core.model.ModelInit;
import dev.kalm.core.model.ModelType;
import dev.kalm.core.model.Qwen2Config;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The one-call forward pass ({@link ScriptedEncoder}) against the operation-by-operation pass of the same inference
 * model: Qwen2 (q/k/v bias) and Qwen3 (q/k norms, with and without attention bias), causal and bidirectional,
 * padded batches. Every weight is random, norms and biases included, so a weight in the wrong place shows.
 */
class ScriptedEncoderTest {
  private static final Qwen2Config QWEN2 = Qwen2Config.of(50, 16, 24, 2, 4, 2);
  private static final Qwen2Config QWEN3 =
      new Qwen2Config(50, 16, 24, 2, 4, 2, 8, 1e-6, 1e6, 64, true, Attention.CAUSAL, ModelType.QWEN3, false);
  private static final Qwen2Config QWEN3_BIAS =
      new Qwen2Config(50, 16, 24, 2, 4, 2, 8, 1e-6, 1e6, 64, true, Attention.CAUSAL, ModelType.QWEN3, true);

  @Property(tries = 40)
  void oneCallEqualsOperationByOperation(@ForAll @IntRange(min = 0, max = 2) int model,
      @ForAll boolean causal, @ForAll @IntRange(min = 1, max = 4) int batch,
      @ForAll @IntRange(min = 1, max = 12) int length, @ForAll boolean leftPadding, @ForAll long seed) {
    Qwen2Config config = new Qwen2Config[] {QWEN2, QWEN3, QWEN3_BIAS}[model];
    Map<String, float[]> weights = randomWeights(config, seed);
    SplittableRandom random = new SplittableRandom(seed);
    long[] ids = new long[batch * length];
    float[] mask = new float[batch * length];
    for (int r = 0; r < batch; r++) {
      int real = r == 0 ? length : 1 + random.nextInt(length); // the longest row sets the length
      for (int t = 0; t < length; t++) {
        boolean isReal = leftPadding ? t >= length - real : t < real;
        ids[r * length + t] = isReal ? random.nextInt(config.vocabSize()) : 0;
        mask[r * length + t] = isReal ? 1 : 0;
      }
    }
    Attention attention = causal ? Attention.CAUSAL : Attention.BIDIRECTIONAL;
    float[] expected = hidden(config, weights, null, ids, mask, batch, length, attention, false);
    float[] actual = hidden(config, weights, ScriptedEncoder.CODE, ids, mask, batch, length, attention, false);
    assertArrayEquals(expected, actual, 2e-5f);
  }

  @Test
  void codeThatDoesNotCompileFallsBackToTheSameResults() {
    Map<String, float[]> weights = randomWeights(QWEN2, 3);
    long[] ids = {5, 6, 7, 8, 9, 0};
    float[] mask = {1, 1, 1, 1, 1, 0};
    try (Qwen2Model broken = model(QWEN2, weights, "class Encoder(Module):\n  def forward(self"); // cut short
        Qwen2Model scripted = model(QWEN2, weights, ScriptedEncoder.CODE)) {
      assertFalse(broken.runsInOneCall());
      assertTrue(scripted.runsInOneCall());
    }
    assertArrayEquals(hidden(QWEN2, weights, ScriptedEncoder.CODE, ids, mask, 2, 3, Attention.CAUSAL, false),
        hidden(QWEN2, weights, "not TorchScript", ids, mask, 2, 3, Attention.CAUSAL, false), 2e-5f);
  }

  @Test
  void withGradientTheModelRunsOperationByOperation() {
    Map<String, float[]> weights = randomWeights(QWEN2, 4);
    long[] ids = {5, 6, 7};
    float[] mask = {1, 1, 1};
    float[] withoutGradient = hidden(QWEN2, weights, ScriptedEncoder.CODE, ids, mask, 1, 3, Attention.CAUSAL, false);
    float[] withGradient = hidden(QWEN2, weights, ScriptedEncoder.CODE, ids, mask, 1, 3, Attention.CAUSAL, true);
    assertArrayEquals(withoutGradient, withGradient, 2e-5f);
  }

  /** Every tensor random: norms around 1, biases and projections around 0. */
  private static Map<String, float[]> randomWeights(Qwen2Config config, long seed) {
    Map<String, float[]> weights = ModelInit.randomWeights(config, seed);
    SplittableRandom random = new SplittableRandom(seed ^ 0x5DEECE66DL);
    weights.forEach((name, data) -> {
      boolean norm = name.endsWith("norm.weight");
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) ((norm ? 1 : 0) + random.nextGaussian() * (norm ? 0.3 : 0.2));
      }
    });
    return weights;
  }

  private static Qwen2Model model(Qwen2Config config, Map<String, float[]> weights, String script) {
    return Qwen2Model.createForInference(config, Backends.cpu(), (name, shape) -> {
      float[] data = weights.get(name);
      ByteBuffer buffer = ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.nativeOrder());
      buffer.asFloatBuffer().put(data);
      return buffer;
    }, "test", script);
  }

  /** The final hidden states; {@code gradient}: with gradient recording (the pass the trainer runs). */
  private static float[] hidden(Qwen2Config config, Map<String, float[]> weights, String script, long[] ids,
      float[] mask, int batch, int length, Attention attention, boolean gradient) {
    boolean before = JniUtils.isGradMode();
    JniUtils.setGradMode(gradient);
    try (Qwen2Model model = model(config, weights, script);
        NDManager m = Devices.newManager(Backends.cpu())) {
      assertTrue(model.runsInOneCall() == (script == ScriptedEncoder.CODE), "the pass under test is there");
      return model.forward(m.create(ids, new Shape(batch, length)), m.create(mask, new Shape(batch, length)),
          attention).toFloatArray();
    } finally {
      JniUtils.setGradMode(before);
    }
  }
}
