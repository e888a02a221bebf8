package dev.kalm.train.optim;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Locale;

/**
 * Learning-rate multipliers as in Hugging Face's schedulers: linear warm-up from 0 over {@code warmup}
 * steps, then constant, linear decay to 0, or cosine decay to 0 at {@code total} steps. Step numbers count
 * optimizer steps from 0.
 */
public enum LrSchedule {
  CONSTANT, LINEAR, COSINE;

  /** Parses {@code constant|linear|cosine}. */
  public static LrSchedule parse(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("schedule must be constant, linear or cosine; got '" + name + "'", e);
    }
  }

  /** The multiplier of the base learning rate at {@code step} (0-based) of {@code total} with {@code warmup} steps. */
  public double factor(long step, long total, long warmup) {
    checkArgument(step >= 0 && total >= 1 && warmup >= 0, "bad schedule position step=%s total=%s warmup=%s", step, total, warmup);
    if (step < warmup) {
      return (double) step / Math.max(1, warmup);
    }
    double progress = (double) (step - warmup) / Math.max(1, total - warmup);
    return switch (this) {
      case CONSTANT -> 1.0;
      case LINEAR -> Math.max(0.0, 1.0 - progress);
      case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
    };
  }
}
