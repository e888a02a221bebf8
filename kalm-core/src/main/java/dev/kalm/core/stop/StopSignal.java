package dev.kalm.core.stop;

/**
 * A cooperative request to stop long-running kalm work (training, embedding many texts, mining, index
 * building, synthesis) at its next step or batch boundary, never in the middle of a native (libtorch) call.
 *
 * <p>Work checks the signal between steps or batches; it is never pre-empted. Two levels:
 * <ul>
 *   <li>{@link #stop()}: finish the current step or batch, then stop. Resumable work saves its state first:
 *       {@code Trainer.train} writes a checkpoint and returns a result saying it was stopped; other work
 *       throws {@link StoppedException} and leaves no half-written output (outputs are written beside the
 *       target and moved into place only when complete).
 *   <li>{@link #stopNow()}: stop at the next boundary that is reached, even inside a training step (between
 *       micro-batches), without writing a checkpoint; always throws {@link StoppedException}. Still never
 *       inside a native call.
 * </ul>
 *
 * <p>Thread interruption is honoured the same way as {@link #stop()}: {@link #isStopRequested()} is true
 * while the calling thread's interrupt flag is set (the flag is left set).
 *
 * <p>Work finds its signal in one of two ways: passed explicitly (e.g. {@code Trainer.train(..., stop)}), or
 * bound to the calling thread with {@link #bind()}: {@code Embedder.embed} (before every batch), vector search
 * (every query block), ranking-consistency filtering and mining, index building, {@code ExampleWriter} (every
 * line), {@code Synthesizer.run} and {@code Trainer.train} check {@link #current()}. Threads started by the library (e.g. synthesis workers) are stopped by the
 * call that started them. Thread-safe: any thread (a signal handler, a UI) may call {@link #stop()}.
 *
 * <pre>{@code
 * StopSignal stop = StopSignal.create();
 * Runtime.getRuntime().addShutdownHook(new Thread(stop::stop));   // or a button, a timer ...
 * try (StopSignal.Binding bound = stop.bind()) {
 *   FilterResult mined = DataFilters.rankingConsistency(teacher, MiningConfig.defaults()).filter(examples);
 * } catch (StoppedException e) {
 *   // stopped at a batch boundary; nothing was written
 * }
 * }</pre>
 */
public final class StopSignal {
  private static final ThreadLocal<StopSignal> BOUND = new ThreadLocal<>();

  private volatile boolean stop;
  private volatile boolean now;

  private StopSignal() {}

  /** A new signal, not stopped. */
  public static StopSignal create() {
    return new StopSignal();
  }

  /**
   * The signal bound to the calling thread by {@link #bind()}; without one, a new signal that nothing else
   * holds (so only the thread's interruption can stop the work).
   */
  public static StopSignal current() {
    StopSignal bound = BOUND.get();
    return bound != null ? bound : new StopSignal();
  }

  /**
   * Makes this the calling thread's {@link #current()} signal until the returned binding is closed (which
   * restores the previous one). Bindings nest; close them in reverse order, on the same thread.
   */
  public Binding bind() {
    StopSignal previous = BOUND.get();
    BOUND.set(this);
    Thread owner = Thread.currentThread();
    return () -> {
      if (Thread.currentThread() != owner) {
        throw new IllegalStateException("a StopSignal binding must be closed on the thread that made it ("
            + owner.getName() + "), not on " + Thread.currentThread().getName());
      }
      if (previous == null) {
        BOUND.remove();
      } else {
        BOUND.set(previous);
      }
    };
  }

  /** Asks the work to stop after its current step or batch. Idempotent; callable from any thread. */
  public void stop() {
    stop = true;
  }

  /**
   * Asks the work to stop at the next boundary it reaches, skipping checkpoints ({@link #stop()} included).
   * Idempotent; callable from any thread.
   */
  public void stopNow() {
    stop = true;
    now = true;
  }

  /** True after {@link #stop()} or {@link #stopNow()}, or while the calling thread is interrupted. */
  public boolean isStopRequested() {
    return stop || Thread.currentThread().isInterrupted();
  }

  /** True after {@link #stopNow()}. */
  public boolean isStopNowRequested() {
    return now;
  }

  /**
   * Throws when a stop is requested ({@link #isStopRequested()}); work calls this at its step or batch
   * boundaries.
   *
   * @throws StoppedException when a stop is requested or the calling thread is interrupted
   */
  public void throwIfStopRequested() {
    if (isStopRequested()) {
      throw new StoppedException(stop ? "stopped on request" : "stopped: the thread was interrupted");
    }
  }

  /** Throws when {@link #stopNow()} was called. @throws StoppedException then */
  public void throwIfStopNowRequested() {
    if (now) {
      throw new StoppedException("stopped at once on request");
    }
  }

  /** Undoes {@link #bind()}. */
  @FunctionalInterface
  public interface Binding extends AutoCloseable {
    /** Restores the calling thread's previous signal. @throws IllegalStateException on another thread */
    @Override
    void close();
  }
}
