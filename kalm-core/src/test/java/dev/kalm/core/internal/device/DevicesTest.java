package dev.kalm.core.internal.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.kalm.core.device.Backend;
import dev.kalm.core.device.Backends;
import org.junit.jupiter.api.Test;

class DevicesTest {
  @Test
  void aBackendNameIsItsDevice() {
    assertEquals(Device.cpu(), Devices.of(Backends.cpu()));
    Backend gpu = () -> "gpu:1";
    assertEquals(Device.gpu(1), Devices.of(gpu));
    try (NDManager m = Devices.newManager(Backends.cpu())) {
      assertEquals(Device.cpu(), m.getDevice());
    }
  }

  @Test
  void otherNamesAreRefusedNamingTheValue() {
    Backend odd = () -> "tpu";
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.of(odd));
    assertTrue(e.getMessage().contains("'tpu'"), e.getMessage());
  }
}
