package dev.kalm.core.device;

/**
 * The device a model's arrays live on, as resolved by {@link Backends}: a name, {@code cpu} or {@code gpu:N}.
 * Immutable and thread-safe. The engine side (DJL devices and array managers) is internal to kalm.
 */
public interface Backend {
  /** A short name for logs and provenance: {@code cpu} or {@code gpu:0}. */
  String name();
}
