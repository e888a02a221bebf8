package dev.kalm.core.model;

import ai.djl.ndarray.NDArray;

/** The load-time check that weights are finite. */
final class WeightCheck {
  private WeightCheck() {}

  /**
   * Whether every element of {@code array} is finite. One sum on the array's device decides in the common case
   * (a NaN or infinite element makes the sum non-finite); only a non-finite sum, which all-finite but huge values
   * can also give, is confirmed element by element. Temporary arrays are closed before returning.
   */
  static boolean isFinite(NDArray array) {
    if (array.isEmpty()) {
      return true;
    }
    try (NDArray sum = array.sum()) {
      if (Float.isFinite(sum.getFloat())) {
        return true;
      }
    }
    try (NDArray nan = array.isNaN(); NDArray inf = array.isInfinite(); NDArray bad = nan.logicalOr(inf);
        NDArray any = bad.any()) {
      return !any.getBoolean();
    }
  }
}
