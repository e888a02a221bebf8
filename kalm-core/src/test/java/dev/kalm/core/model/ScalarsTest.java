package dev.kalm.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.kalm.core.device.Backends;
import dev.kalm.core.testing.FreedMemory;
import java.util.function.UnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;

/**
 * Scalar operands survive a garbage collection between forward and backward (DJL's {@code mul(Number)} does not:
 * its operand's buffer is freed and backward reads NaN or garbage).
 */
class ScalarsTest {
  @Property(tries = 20)
  void gradientsAreExactAfterACollectionBeforeBackward(@ForAll @FloatRange(min = 0.25f, max = 4) float value) {
    float[] x = {-2f, 0.5f, 3f};
    assertArrayEquals(new float[] {value, value, value}, gradient(x, a -> Scalars.mul(a, value)));
    float[] quotient = {1 / value, 1 / value, 1 / value};
    assertArrayEquals(quotient, gradient(x, a -> Scalars.div(a, value)), 1e-6f);
    float[] square = {-4f, 1f, 6f};
    assertArrayEquals(square, gradient(x, a -> Scalars.pow(a, 2)), 1e-6f);
    // max(x, 1): gradient 1 where x > 1, 0 where x < 1.
    assertArrayEquals(new float[] {0f, 0f, 1f}, gradient(x, a -> Scalars.maximum(a, 1)));
  }

  /** d(sum(op(x)))/dx, with a full collection and freed-memory reuse between forward and backward. */
  private static float[] gradient(float[] values, UnaryOperator<NDArray> op) {
    try (NDManager manager = Backends.cpu().newManager()) {
      NDArray x = manager.create(values);
      Autograd.requireGradient(x);
      return Autograd.withGradMode(true, () -> {
        NDArray y = op.apply(x).sum();
        FreedMemory.collectAndOverwrite();
        Autograd.backward(y);
        try (NDArray g = x.getGradient()) {
          return g.toFloatArray();
        }
      });
    }
  }
}
