package dev.kalm.data.synth;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Hands work to a fixed set of worker threads: follow-up items (stage 2) first, then the next item of
 * a lazy source (stage 1). Ends when the source is exhausted, nothing is queued and nothing runs (a
 * running item may still queue follow-ups), or at once after {@link #stop}. Thread safe.
 */
final class WorkQueue {
  private final Iterator<Runnable> source;
  private final Deque<Runnable> followUps = new ArrayDeque<>();
  private int running;
  private boolean stopped;

  WorkQueue(Iterator<Runnable> source) {
    this.source = source;
  }

  /** The next item, or null when the work is over; the caller must call {@link #done()} after running it. */
  synchronized @Nullable Runnable take() throws InterruptedException {
    while (true) {
      if (stopped) {
        return null;
      }
      Runnable next = !followUps.isEmpty() ? followUps.pollFirst() : source.hasNext() ? source.next() : null;
      if (next != null) {
        running++;
        return next;
      }
      if (running == 0) {
        return null;
      }
      wait();
    }
  }

  /** An item from {@link #take()} finished. */
  synchronized void done() {
    running--;
    notifyAll();
  }

  /** Queues follow-up items ahead of the source, in the given order. */
  synchronized void addFirst(List<Runnable> items) {
    for (int i = items.size() - 1; i >= 0; i--) {
      followUps.addFirst(items.get(i));
    }
    notifyAll();
  }

  /** Hands out nothing more; items already taken run to their end. */
  synchronized void stop() {
    stopped = true;
    followUps.clear();
    notifyAll();
  }

  /** True after {@link #stop()}. */
  synchronized boolean stopped() {
    return stopped;
  }
}
