package dev.kalm.core.progress;

/**
 * Receives progress of long work (embedding, mining, evaluation). Called from the working thread; keep
 * it cheap. {@code total} is -1 when unknown.
 */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores everything. */
  ProgressListener NONE = (done, total) -> {};

  /** {@code done} units of {@code total} are finished. Called with non-decreasing {@code done}. */
  void progress(long done, long total);
}
