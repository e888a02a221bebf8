package dev.kalm.core.internal.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.BinaryOperator;

/**
 * Elementwise operations with a Java number that stay correct while autograd records.
 *
 * <p>DJL's {@code mul(Number)}, {@code div(Number)}, {@code maximum(Number)} (and every other {@code op(Number)})
 * turn the number into an array with {@code manager.create(Number)} and close that array as soon as the op
 * returns. On the CPU, {@code create} wraps a Java direct buffer without copying ({@code torch::from_blob}),
 * and only the closed Java array kept that buffer reachable. PyTorch saves the operand for backward (mul, div,
 * pow and maximum do), so once a garbage collection frees the buffer, backward reads freed memory: a wrong or
 * NaN gradient, depending on when the collector runs. Here the operand is created by libtorch itself
 * ({@code torch::full}), so its memory belongs to the tensor and lives as long as autograd needs it; closing
 * the Java wrapper at once is then safe. Without gradient the plain DJL overloads are fine.
 *
 * <p>Results attach to {@code x}'s manager, as DJL's overloads do. Stateless.
 */
public final class Scalars {
  private Scalars() {}

  /** {@code x * value}. */
  public static NDArray mul(NDArray x, double value) {
    return apply(x, value, NDArray::mul);
  }

  /** {@code x / value}. */
  public static NDArray div(NDArray x, double value) {
    return apply(x, value, NDArray::div);
  }

  /** {@code x} to the power {@code value}. */
  public static NDArray pow(NDArray x, double value) {
    return apply(x, value, NDArray::pow);
  }

  /** {@code max(x, value)} elementwise. */
  public static NDArray maximum(NDArray x, double value) {
    return apply(x, value, NDArray::maximum);
  }

  /** {@code op(x, scalar)} with the scalar operand freed afterwards. */
  private static NDArray apply(NDArray x, double value, BinaryOperator<NDArray> op) {
    try (NDArray operand = of(x, value)) {
      return op.apply(x, operand);
    }
  }

  /** A 0-dimensional array holding {@code value} in {@code like}'s type and device, in libtorch-owned memory. */
  private static NDArray of(NDArray like, double value) {
    return JniUtils.full((PtNDManager) like.getManager(), new Shape(), value, like.getDataType(), like.getDevice(),
        SparseFormat.DENSE);
  }
}
