package dev.kalm.core.device;

import java.util.Locale;

/**
 * Which device a model runs on, as a user asks for it.
 *
 * <p>Resolution order when {@link #fromEnvironment()} is used: system property {@code kalm.device}, then
 * environment variable {@code KALM_DEVICE}, else {@link #AUTO}.
 */
public enum DeviceChoice {
  /** GPU when a CUDA build of libtorch is loaded and a GPU is visible, else CPU (with one log line). */
  AUTO,
  /** The CPU, float32. */
  CPU,
  /** The first CUDA GPU; fails with a message saying what to install when there is none. */
  GPU;

  /** Parses {@code auto|cpu|gpu} (also {@code cuda}), case-insensitive. */
  public static DeviceChoice parse(String name) {
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "auto": return AUTO;
      case "cpu": return CPU;
      case "gpu": case "cuda": return GPU;
      default: throw new IllegalArgumentException("device must be one of auto, cpu, gpu; got '" + name + "'");
    }
  }

  /** The choice from {@code -Dkalm.device}, else {@code KALM_DEVICE}, else {@link #AUTO}. */
  public static DeviceChoice fromEnvironment() {
    String property = System.getProperty("kalm.device");
    if (property != null && !property.isBlank()) {
      return parse(property);
    }
    String env = System.getenv("KALM_DEVICE");
    return env == null || env.isBlank() ? AUTO : parse(env);
  }
}
