package dev.kalm.data.synth.llm;

import java.util.concurrent.TimeUnit;

/**
 * Spaces request starts evenly: at most {@code perSecond} starts per second over all threads, no bursts.
 * Thread safe.
 */
final class RateLimiter {
  private final long intervalNanos;
  private long nextFree;

  RateLimiter(double perSecond) {
    this.intervalNanos = perSecond <= 0 ? 0 : Math.max(1, Math.round(1e9 / perSecond));
    this.nextFree = System.nanoTime();
  }

  /** Blocks until this caller may start a request. */
  void acquire() throws InterruptedException {
    if (intervalNanos == 0) {
      return;
    }
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      long slot = Math.max(now, nextFree);
      nextFree = slot + intervalNanos;
      wait = slot - now;
    }
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }
}
