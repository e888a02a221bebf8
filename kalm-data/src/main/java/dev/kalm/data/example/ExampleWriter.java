package dev.kalm.data.example;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.kalm.core.io.AtomicFiles;
import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes {@link TrainingExample}s as JSON Lines ({@link ExampleJson} layout), streaming: lines are
 * appended to a temporary file in the target's folder, and {@link #commit()} moves it onto the target
 * atomically. Closing without committing deletes the temporary file and leaves the target untouched,
 * so a failed run never leaves a half-written output. A target ending in {@code .gz} is gzipped.
 *
 * <p>Stopping: {@link #write} throws {@link StoppedException} when the {@link StopSignal#current() signal bound}
 * to the thread that opened the writer asks to stop; closing then discards the file as for any failure.
 *
 * <p>Thread safety: {@link #write} may be called from several threads; lines never interleave.
 *
 * <pre>{@code
 * try (ExampleWriter out = ExampleWriter.open(Path.of("mined.jsonl"))) {
 *   examples.forEach(out::write);
 *   out.commit();
 * }
 * }</pre>
 */
public final class ExampleWriter implements AutoCloseable {
  private final AtomicFiles.Pending pending;
  private final Writer writer;
  private final StopSignal stop;
  private long count;
  private boolean done;

  private ExampleWriter(AtomicFiles.Pending pending, Writer writer) {
    this.pending = pending;
    this.writer = writer;
    this.stop = StopSignal.current();
  }

  /**
   * Opens a writer for {@code target}; its folder is created when missing.
   *
   * @throws UncheckedIOException when the temporary file cannot be created, naming the folder
   */
  public static ExampleWriter open(Path target) {
    checkNotNull(target, "target");
    AtomicFiles.Pending pending = AtomicFiles.create(target);
    try {
      OutputStream out = pending.stream();
      if (target.getFileName().toString().endsWith(".gz")) {
        out = new GZIPOutputStream(out, 1 << 16);
      }
      return new ExampleWriter(pending, new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16));
    } catch (IOException e) {
      pending.close();
      throw pending.failure(e);
    }
  }

  /**
   * Appends one example as one line.
   *
   * @throws IllegalStateException after {@link #commit()} or {@link #close()}
   * @throws UncheckedIOException when writing fails
   * @throws StoppedException when the opening thread's stop signal asks to stop or this thread is interrupted
   */
  public synchronized void write(TrainingExample example) {
    checkNotNull(example, "example");
    checkState(!done, "writer for %s is already committed or closed", pending.target());
    if (stop.isStopRequested()) {
      throw new StoppedException("stopped; " + pending.target() + " was not written");
    }
    try {
      writer.write(ExampleJson.toLine(example));
      writer.write('\n');
      count++;
    } catch (IOException e) {
      throw pending.failure(e);
    }
  }

  /** Examples written so far. */
  public synchronized long count() {
    return count;
  }

  /** The file this writer produces. */
  public Path target() {
    return pending.target();
  }

  /**
   * Flushes, closes and atomically moves the written lines onto the target (replacing it).
   *
   * @throws IllegalStateException when already committed or closed
   * @throws UncheckedIOException when the move fails (the temporary file is then deleted)
   */
  public synchronized void commit() {
    checkState(!done, "writer for %s is already committed or closed", pending.target());
    done = true;
    try {
      writer.close();
    } catch (IOException e) {
      pending.close();
      throw pending.failure(e);
    }
    pending.commit();
  }

  /** Without a prior {@link #commit()}: discards what was written and leaves the target untouched. Idempotent. */
  @Override
  public synchronized void close() {
    if (done) {
      return;
    }
    done = true;
    try {
      writer.close();
    } catch (IOException ignored) {
      // the file is discarded anyway
    }
    pending.close();
  }
}
