package dev.kalm.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * The few automatic-differentiation calls training needs, kept in one place because DJL's
 * {@code GradientCollector} allows one per process and never zeroes gradients. Gradient mode is per thread.
 */
public final class Autograd {
  private Autograd() {}

  /** Runs {@code work} with gradient recording on (or off), restoring the thread's previous mode. */
  public static <T> T withGradMode(boolean enabled, Supplier<T> work) {
    boolean previous = JniUtils.isGradMode();
    JniUtils.setGradMode(enabled);
    try {
      return work.get();
    } finally {
      JniUtils.setGradMode(previous);
    }
  }

  /** Runs {@code work} with gradient recording on (or off), restoring the thread's previous mode. */
  public static void withGradMode(boolean enabled, Runnable work) {
    withGradMode(enabled, () -> {
      work.run();
      return null;
    });
  }

  /** Marks a leaf array as requiring a gradient (its {@code .grad} accumulates over backward passes). */
  public static void requireGradient(NDArray array) {
    array.setRequiresGradient(true);
  }

  /** Back-propagates from a scalar: gradients of every leaf that requires one are increased by d(scalar)/d(leaf). */
  public static void backward(NDArray scalar) {
    try (NDArray one = scalar.getManager().ones(scalar.getShape(), scalar.getDataType())) {
      JniUtils.backward((PtNDArray) scalar, (PtNDArray) one, false, false);
    }
  }

  /** Sets a leaf's accumulated gradient to zero (no-op when it has none yet). */
  public static void zeroGradient(NDArray leaf) {
    JniUtils.zeroGrad((PtNDArray) leaf);
  }
}
