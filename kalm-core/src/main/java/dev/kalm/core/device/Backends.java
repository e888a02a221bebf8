package dev.kalm.core.device;

import ai.djl.engine.Engine;
import dev.kalm.core.internal.runtime.NativeRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Resolves a {@link DeviceChoice} to a {@link Backend}. Thread-safe. */
public final class Backends {
  private static final Logger LOG = LoggerFactory.getLogger(Backends.class);
  private static volatile boolean autoFallbackLogged;

  static {
    // Everything this library needs is on the classpath: never let DJL try a download.
    if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getenv("RUST_FLAVOR") == null && System.getProperty("RUST_FLAVOR") == null) {
      System.setProperty("RUST_FLAVOR", "cpu");
    }
    NativeRuntime.prepare(); // before libtorch loads: OpenMP waiting, MKL kernels
  }

  private Backends() {}

  /** The CPU backend. */
  public static Backend cpu() {
    return Simple.CPU;
  }

  /**
   * The backend for a choice.
   *
   * @throws IllegalStateException for {@link DeviceChoice#GPU} when no CUDA libtorch or no GPU is present,
   *     with a message saying what to install or set
   */
  public static Backend resolve(DeviceChoice choice) {
    switch (choice) {
      case CPU:
        return cpu();
      case GPU:
        if (gpuCount() == 0) {
          throw new IllegalStateException(
              "device gpu requested but no CUDA GPU is usable: the loaded libtorch is '"
                  + Engine.getEngine("PyTorch").getVersion()
                  + "' without CUDA. Install libtorch 2.7.1 for CUDA 12.8 and set PYTORCH_LIBRARY_PATH=<its lib folder>"
                  + " and PYTORCH_FLAVOR=cu128 (or run with --device cpu)");
        }
        return new Simple("gpu:0");
      case AUTO:
      default:
        if (gpuCount() > 0) {
          return new Simple("gpu:0");
        }
        if (!autoFallbackLogged) {
          autoFallbackLogged = true;
          LOG.info("kalm: no CUDA GPU usable, running on CPU (set PYTORCH_LIBRARY_PATH and PYTORCH_FLAVOR=cu128 for GPU)");
        }
        return cpu();
    }
  }

  /** The backend chosen by {@code -Dkalm.device} / {@code KALM_DEVICE}, default auto. */
  public static Backend fromEnvironment() {
    return resolve(DeviceChoice.fromEnvironment());
  }

  private static int gpuCount() {
    return Engine.getEngine("PyTorch").getGpuCount();
  }

  private record Simple(String name) implements Backend {
    static final Simple CPU = new Simple("cpu");
  }
}
