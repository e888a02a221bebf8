package dev.kalm.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.kalm.core.device.Backends;
import dev.kalm.core.internal.device.Devices;
import dev.kalm.core.internal.embed.Pooler;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.safetensors.SafetensorsFile;
import dev.kalm.core.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token-level parity with the reference Python stack on the qwen2-tiny fixture (max abs diff <= 1e-4), for the
 * trainable layout and the inference layout (fused q/k/v and gate/up).
 */
class Qwen2ParityTest {
  static final double TOLERANCE = 1e-4;
  static Qwen2Model model;
  static Qwen2Model inference;

  @BeforeAll
  static void load() {
    model = ModelFolderReader.tiny();
    inference = ModelFolderReader.tinyForInference();
  }

  @AfterAll
  static void close() {
    model.close();
    inference.close();
  }

  @Test
  void causalHiddenStatesAndPoolingMatchReference() {
    check(model, "forward.safetensors", Attention.CAUSAL, true);
  }

  @Test
  void bidirectionalHiddenStatesAndMeanPoolingMatchReference() {
    check(model, "forward_bidirectional.safetensors", Attention.BIDIRECTIONAL, false);
  }

  @Test
  void inferenceLayoutMatchesReference() { // with gradient recording: operation by operation
    check(inference, "forward.safetensors", Attention.CAUSAL, true);
    check(inference, "forward_bidirectional.safetensors", Attention.BIDIRECTIONAL, false);
  }

  @Test
  void inferenceLayoutWithoutGradientMatchesReference() { // as embedders run it: all layers in one native call
    assertTrue(inference.runsInOneCall());
    boolean before = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      check(inference, "forward.safetensors", Attention.CAUSAL, true);
      check(inference, "forward_bidirectional.safetensors", Attention.BIDIRECTIONAL, false);
    } finally {
      JniUtils.setGradMode(before);
    }
  }

  @Test
  void inferenceLayoutExposesTheSameParametersAsViewsButTheEmbeddingTable() {
    List<String> expected = new ArrayList<>(model.parameters().keySet());
    expected.remove("embed_tokens.weight"); // read from the file row by row, not held
    assertEquals(expected, inference.parameters().keySet().asList());
    inference.parameters().forEach((name, view) -> {
      NDArray array = model.parameters().get(name);
      assertEquals(array.getShape(), view.getShape(), name);
      assertArrayEquals(array.toFloatArray(), view.toFloatArray(), name);
    });
  }

  private static void check(Qwen2Model model, String file, Attention attention, boolean hasLastToken) {
    try (SafetensorsFile ref = SafetensorsFile.open(Fixtures.qwen2Tiny().resolve(file));
        NDManager m = Devices.newManager(Backends.cpu())) {
      long[] shape = ref.info("input_ids").shape();
      NDArray ids = m.create(ref.longs("input_ids"), new Shape(shape));
      long[] maskLongs = ref.longs("attention_mask");
      float[] mask = new float[maskLongs.length];
      for (int i = 0; i < mask.length; i++) {
        mask[i] = maskLongs[i];
      }
      NDArray hidden = model.forward(ids, m.create(mask, new Shape(shape)), attention);
      float[] got = hidden.toFloatArray();
      float[] want = ref.floatArray("last_hidden_state");
      int hiddenSize = model.config().hiddenSize();
      double maxDiff = 0;
      for (int i = 0; i < got.length; i++) {
        if (mask[i / hiddenSize] != 0) {
          maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
        }
      }
      System.out.printf("parity %s last_hidden_state max |diff| = %.3g%n", file, maxDiff);
      assertTrue(maxDiff <= TOLERANCE, "last_hidden_state max diff " + maxDiff);
      int rows = (int) shape[0];
      int length = (int) shape[1];
      assertPooled(m, hidden, mask, rows, length, Pooling.MEAN, ref.floatArray("mean_normalized"), file + " mean");
      if (hasLastToken) {
        assertPooled(m, hidden, mask, rows, length, Pooling.LAST, ref.floatArray("last_token_normalized"), file + " last");
      }
    }
  }

  private static void assertPooled(NDManager m, NDArray hidden, float[] mask, int rows, int length, Pooling pooling,
      float[] want, String what) {
    NDArray weights = m.create(Pooler.weights(pooling, mask, rows, length), new Shape(rows, length));
    float[] got = Pooler.truncateAndNormalize(Pooler.pool(hidden, weights), 0, true).toFloatArray();
    double maxDiff = 0;
    for (int i = 0; i < got.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
    }
    System.out.printf("parity %s max |diff| = %.3g%n", what, maxDiff);
    assertArrayEquals(want, got, (float) TOLERANCE, what);
  }
}
