package dev.kalm.data.example;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
  private final Path target;
  private final Path temp;
  private final Writer writer;
  private final StopSignal stop;
  private long count;
  private boolean done;

  private ExampleWriter(Path target, Path temp, Writer writer) {
    this.target = target;
    this.temp = temp;
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
    Path absolute = target.toAbsolutePath();
    Path folder = absolute.getParent();
    try {
      Files.createDirectories(folder);
      Path temp = Files.createTempFile(folder, "." + absolute.getFileName() + ".", ".tmp");
      OutputStream out = Files.newOutputStream(temp);
      if (absolute.getFileName().toString().endsWith(".gz")) {
        out = new GZIPOutputStream(out, 1 << 16);
      }
      Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
      return new ExampleWriter(absolute, temp, writer);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary file in " + folder + ": " + e.getMessage(), e);
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
    checkState(!done, "writer for %s is already committed or closed", target);
    if (stop.isStopRequested()) {
      throw new StoppedException("stopped; " + target + " was not written");
    }
    try {
      writer.write(ExampleJson.toLine(example));
      writer.write('\n');
      count++;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + temp + ": " + e.getMessage(), e);
    }
  }

  /** Examples written so far. */
  public synchronized long count() {
    return count;
  }

  /** The file this writer produces. */
  public Path target() {
    return target;
  }

  /**
   * Flushes, closes and atomically moves the written lines onto the target (replacing it).
   *
   * @throws IllegalStateException when already committed or closed
   * @throws UncheckedIOException when the move fails (the temporary file is then deleted)
   */
  public synchronized void commit() {
    checkState(!done, "writer for %s is already committed or closed", target);
    done = true;
    try {
      writer.close();
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      deleteTemp();
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
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
    deleteTemp();
  }

  private void deleteTemp() {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // best effort: a stray hidden .tmp file is all that can remain
    }
  }
}
