package dev.kalm.examples.cli;

import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import sun.misc.Signal;

/**
 * How {@code ./kalm} stops on SIGTERM and SIGINT without crashing the JVM.
 *
 * <p>The JVM's own handling of those signals runs the shutdown and exits while the main thread may be inside
 * libtorch (a backward pass, a large matmul); libtorch's globals are then torn down under it and the JVM
 * crashes (SIGSEGV, {@code hs_err_pid*.log}). So the CLI takes the signals itself and turns them into a
 * {@link StopSignal} bound to the main thread, which every long kalm call checks at its step or batch
 * boundaries:
 * <ul>
 *   <li>first signal: {@link StopSignal#stop()}: training finishes its step and writes a checkpoint; other work
 *       ends at its next batch and discards its unfinished output. The command prints one line on standard
 *       error and the process exits with 128 + the signal number (143 for SIGTERM, 130 for SIGINT), from the
 *       main thread, once no native call runs.
 *   <li>second signal: {@link StopSignal#stopNow()}: training ends between micro-batches without a checkpoint.
 *       A repeat of the same signal within {@link #REPEAT_MILLIS} ms counts as the first one: {@code timeout}
 *       sends its signal to the command and again to the command's process group, microseconds apart.
 *   <li>while the main thread only waits for standard input (nothing native runs), a signal exits at once.
 * </ul>
 * A shutdown hook covers every other way the JVM may be asked to exit (SIGHUP, a {@code System.exit} elsewhere):
 * it asks the work to stop and waits, at most {@link #HOOK_WAIT_SECONDS} seconds, for it to end.
 */
final class SignalStop {
  /** How long the shutdown hook waits for the work to reach a step or batch boundary. */
  static final long HOOK_WAIT_SECONDS = 120;

  /** A repeat of the first signal this soon after it is the same request, not a second one. */
  static final long REPEAT_MILLIS = 100;

  private static volatile @Nullable SignalStop installed;

  private final StopSignal stop = StopSignal.create();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicInteger count = new AtomicInteger();
  private final Object inputLock = new Object();
  private volatile @Nullable Signal first;
  private volatile long firstNanos;
  private boolean waitingForInput; // guarded by inputLock
  private volatile boolean exitingFromInput;

  private SignalStop() {}

  /**
   * Takes over SIGTERM and SIGINT for this process and adds the shutdown hook. Call once, from {@code main},
   * before any work; then run the work inside {@link #bind()} and call {@link #finished()} after it.
   */
  static SignalStop install() {
    SignalStop s = new SignalStop();
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), s::onSignal);
      } catch (IllegalArgumentException e) {
        // the JVM keeps this signal (e.g. -Xrs): the shutdown hook still stops the work cooperatively
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(s::onShutdown, "kalm-stop"));
    installed = s;
    return s;
  }

  /** Binds the stop signal to the calling (main) thread. */
  StopSignal.Binding bind() {
    return stop.bind();
  }

  /** The work is over (normally or not): no native call runs any more; the process may exit. */
  void finished() {
    finished.countDown();
  }

  /** The exit code: 128 + the first signal's number when a signal came, else {@code code}. */
  int exitCode(int code) {
    Signal s = first;
    return s == null ? code : 128 + s.getNumber();
  }

  /** The exit code of a command that was stopped: 128 + the signal's number, or 1 when no signal came. */
  static int stoppedExitCode() {
    SignalStop s = installed;
    return s == null ? 1 : s.exitCode(1);
  }

  /** What stopped the work, for messages: {@code SIGTERM}, {@code SIGINT}, or {@code a stop request}. */
  static String cause() {
    SignalStop s = installed;
    Signal signal = s == null ? null : s.first;
    return signal == null ? "a stop request" : "SIG" + signal.getName();
  }

  /** A blocking read that involves no native library code. */
  @FunctionalInterface
  interface Read<T> {
    T read() throws IOException;
  }

  /**
   * Runs a read of standard input during which a signal exits the process at once (no native call can be in
   * flight, and nothing has been written). Without {@link #install()} (tests), just reads.
   *
   * @throws StoppedException when a signal came before the read started
   */
  static <T> T waitingForInput(Read<T> read) throws IOException {
    SignalStop s = installed;
    if (s == null) {
      return read.read();
    }
    synchronized (s.inputLock) {
      if (s.first != null) {
        throw new StoppedException("stopped before reading standard input");
      }
      s.waitingForInput = true;
    }
    try {
      return read.read();
    } finally {
      synchronized (s.inputLock) {
        s.waitingForInput = false;
      }
    }
  }

  private void onSignal(Signal signal) {
    synchronized (count) { // signal handlers run on threads of their own, possibly at once
      Signal earlier = first;
      if (earlier != null && earlier.getNumber() == signal.getNumber()
          && System.nanoTime() - firstNanos < REPEAT_MILLIS * 1_000_000L) {
        return; // the same request delivered twice (timeout signals the command and its process group)
      }
      if (count.incrementAndGet() == 1) {
        firstNanos = System.nanoTime();
        first = signal;
        stop.stop();
      } else {
        stop.stopNow();
      }
    }
    synchronized (inputLock) {
      if (waitingForInput) {
        // The main thread is blocked reading input (Java I/O, no libtorch); keeping the lock keeps it there.
        exitingFromInput = true;
        System.err.println("kalm: stopped by SIG" + signal.getName() + " while reading standard input; nothing written");
        System.exit(exitCode(1));
      }
    }
  }

  private void onShutdown() {
    if (finished.getCount() == 0 || exitingFromInput) {
      return;
    }
    stop.stop();
    try {
      if (!finished.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS)) {
        System.err.println("kalm: the work did not reach a step or batch boundary within " + HOOK_WAIT_SECONDS
            + " s; exiting anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
