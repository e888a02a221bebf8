package dev.kalm.core.internal.device;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.kalm.core.device.Backend;
import dev.kalm.core.internal.runtime.NativeRuntime;

/** The DJL side of a {@link Backend}: its device and managers on it. Internal: for kalm's own modules. */
public final class Devices {
  static {
    NativeRuntime.prepare();
  }

  private Devices() {}

  /**
   * The DJL device a backend names: {@code cpu} or {@code gpu:N}.
   *
   * @throws IllegalArgumentException for any other name (backends come from {@link dev.kalm.core.device.Backends})
   */
  public static Device of(Backend backend) {
    String name = backend.name();
    if (name.equals("cpu")) {
      return Device.cpu();
    }
    if (name.matches("gpu:\\d{1,4}")) {
      return Device.gpu(Integer.parseInt(name.substring(4)));
    }
    throw new IllegalArgumentException("backend name must be cpu or gpu:N, got '" + name + "'");
  }

  /** A new root manager on the backend's device; the caller closes it. */
  public static NDManager newManager(Backend backend) {
    return NDManager.newBaseManager(of(backend));
  }
}
