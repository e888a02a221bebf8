package dev.kalm.data.synth;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of checking an LLM reply: a value, or the reason the reply was rejected. Immutable.
 *
 * @param value the parsed value when valid, else null
 * @param problem why the reply was rejected when invalid, else null
 */
record Validation<T>(@Nullable T value, @Nullable String problem) {

  public Validation {
    checkArgument((value == null) != (problem == null), "exactly one of value and problem must be set");
  }

  /** A valid outcome. */
  public static <T> Validation<T> valid(T value) {
    return new Validation<>(value, null);
  }

  /** An invalid outcome with its reason. */
  public static <T> Validation<T> invalid(String problem) {
    return new Validation<>(null, problem);
  }

  /** True when the reply was accepted. */
  public boolean isValid() {
    return value != null;
  }

  /** The value. @throws IllegalStateException when invalid, with the problem */
  public T get() {
    checkState(value != null, "invalid reply: %s", problem);
    return value;
  }
}
