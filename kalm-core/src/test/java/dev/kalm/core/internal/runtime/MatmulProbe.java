package dev.kalm.core.internal.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.kalm.core.device.Backends;
import dev.kalm.core.internal.device.Devices;

/** A child process for {@link NativeRuntimeTest}: one matrix multiply through kalm's CPU backend. */
final class MatmulProbe {
  private MatmulProbe() {}

  public static void main(String[] args) {
    try (NDManager manager = Devices.newManager(Backends.cpu())) {
      NDArray a = manager.ones(new Shape(64, 64));
      a.matMul(a).toFloatArray();
    }
  }
}
