package dev.kalm.examples.cli;

import dev.kalm.core.device.DeviceChoice;
import picocli.CommandLine.ITypeConverter;

/** Picocli converter for {@code --device auto|cpu|gpu}. */
final class DeviceOption implements ITypeConverter<DeviceChoice> {
  @Override
  public DeviceChoice convert(String value) {
    return DeviceChoice.parse(value);
  }
}
