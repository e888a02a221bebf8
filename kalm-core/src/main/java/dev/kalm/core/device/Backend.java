package dev.kalm.core.device;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

/**
 * The device a model's arrays live on. The rest of the code asks a backend for managers and never
 * branches on the device itself. Implementations are immutable and thread-safe.
 */
public interface Backend {
  /** A short name for logs and provenance: {@code cpu} or {@code gpu:0}. */
  String name();

  /** The DJL device arrays are created on. */
  Device device();

  /** A new root manager on this device; the caller closes it. */
  default NDManager newManager() {
    return NDManager.newBaseManager(device());
  }
}
