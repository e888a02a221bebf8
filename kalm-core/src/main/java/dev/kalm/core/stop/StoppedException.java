package dev.kalm.core.stop;

import java.util.concurrent.CancellationException;

/**
 * Thrown by kalm work that was asked to stop through a {@link StopSignal} (or whose thread was interrupted),
 * at a step or batch boundary. Whatever the work was writing is discarded (outputs are only moved into place
 * when complete); resumable work (synthesis logs, training checkpoints) keeps what was finished.
 */
public final class StoppedException extends CancellationException {
  private static final long serialVersionUID = 1L;

  /** An exception with {@code message}. */
  public StoppedException(String message) {
    super(message);
  }
}
