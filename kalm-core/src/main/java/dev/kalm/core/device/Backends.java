package dev.kalm.core.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
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
    passiveOpenMpThreads();
  }

  /** The C library's {@code setenv}, through JNA (which DJL already depends on). */
  private interface CLibrary extends com.sun.jna.Library {
    int setenv(String name, String value, int overwrite);
  }

  /**
   * Sets {@code OMP_WAIT_POLICY=PASSIVE} in the process environment unless it is set, before libtorch (and its
   * OpenMP runtime, which reads the variable once when it loads) is loaded. With the default policy, OpenMP
   * threads spin between parallel regions: on a machine whose cores are busy with other work (other processes,
   * or this JVM's own threads) a spinning thread holds a core that the thread it waits for needs; measured on a
   * busy 2-core machine, embedding short texts ran 4.5x slower that way (bench/peer-benchmark.sh). Set
   * {@code OMP_WAIT_POLICY=ACTIVE} to keep spinning. Where the C library cannot be reached (not Linux or macOS,
   * no JNA) nothing changes.
   */
  private static void passiveOpenMpThreads() {
    if (System.getenv("OMP_WAIT_POLICY") != null) {
      return;
    }
    try {
      com.sun.jna.Native.load("c", CLibrary.class).setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
    } catch (LinkageError | RuntimeException e) {
      LOG.debug("kalm: cannot set OMP_WAIT_POLICY ({}); OpenMP keeps its default", e.toString());
    }
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
        return new Simple("gpu:0", Device.gpu(0));
      case AUTO:
      default:
        if (gpuCount() > 0) {
          return new Simple("gpu:0", Device.gpu(0));
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

  private record Simple(String name, Device device) implements Backend {
    static final Simple CPU = new Simple("cpu", Device.cpu());
  }
}
