package dev.kalm.core.model;

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

  /**
   * One in-place Adam step on a parameter, its gradient and moments (PyTorch's native kernel behind DJL's
   * {@code adamUpdate}), without gradient recording: {@code g = gradient * gradientScale};
   * with {@code decoupled}, first {@code p -= lr * weightDecay * p}; then {@code m = beta1 m + (1 - beta1) g},
   * {@code v = beta2 v + (1 - beta2) g^2}, {@code p -= stepSize * m / (sqrt(v) + eps)}. No bias correction: the
   * caller folds it into {@code stepSize} and {@code eps}. The gradient itself is left unchanged.
   */
  public static void adamStep(NDArray parameter, NDArray gradient, NDArray firstMoment, NDArray secondMoment,
      float lr, float stepSize, float weightDecay, float gradientScale, float beta1, float beta2, float eps,
      boolean decoupled) {
    // A negative clip value turns the kernel's one-sided gradient clamp off.
    JniUtils.adamUpdate((PtNDArray) parameter, (PtNDArray) gradient, (PtNDArray) firstMoment, (PtNDArray) secondMoment,
        lr, stepSize, weightDecay, gradientScale, -1f, beta1, beta2, eps, decoupled);
  }
}
