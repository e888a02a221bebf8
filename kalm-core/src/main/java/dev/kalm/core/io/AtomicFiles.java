package dev.kalm.core.io;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Writes files and folders so that a reader never sees half of one: the content goes to a temporary file
 * (or folder) in the target's own folder, which is then moved onto the target ({@code ATOMIC_MOVE}, replacing
 * it). On failure the temporary file is deleted and the target is left as it was.
 *
 * <p>Temporary files are created like any other new file ({@code CREATE_NEW}), so the result has the
 * permissions the user's umask gives (typically 0644), not the owner-only 0600 of
 * {@link Files#createTempFile}. Their names are {@code .<target name>.<random>.partial}.
 *
 * <p>Missing parent folders of the target are created. Errors are {@link UncheckedIOException}s naming the
 * target.
 *
 * <pre>{@code
 * AtomicFiles.writeString(Path.of("report.json"), json);
 * try (AtomicFiles.Pending out = AtomicFiles.create(Path.of("big.jsonl"))) {
 *   out.stream().write(bytes);
 *   out.commit();                 // without commit, close() discards the temporary file
 * }
 * }</pre>
 */
public final class AtomicFiles {
  private static final String SUFFIX = ".partial";

  private AtomicFiles() {}

  /** Content written to an output stream; the stream is closed by {@link AtomicFiles}. */
  @FunctionalInterface
  public interface Content {
    /** Writes the whole content. */
    void writeTo(OutputStream out) throws IOException;
  }

  /** Content of a folder: files written into the (empty) temporary folder. */
  @FunctionalInterface
  public interface FolderContent {
    /** Fills {@code folder}. */
    void writeInto(Path folder) throws IOException;
  }

  /**
   * Writes {@code content} to {@code target} atomically.
   *
   * @throws UncheckedIOException naming the target when it cannot be written (nothing is left behind)
   */
  public static void write(Path target, Content content) {
    checkNotNull(content, "content");
    try (Pending pending = create(target)) {
      try (OutputStream out = new java.io.BufferedOutputStream(pending.stream(), 1 << 16)) {
        content.writeTo(out);
      } catch (IOException e) {
        throw pending.failure(e);
      }
      pending.commit();
    }
  }

  /** Writes {@code text} as UTF-8 to {@code target} atomically. @throws UncheckedIOException naming the target */
  public static void writeString(Path target, String text) {
    checkNotNull(text, "text");
    write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** Writes each line and a {@code '\n'} after it, UTF-8, to {@code target} atomically. */
  public static void writeLines(Path target, Iterable<String> lines) {
    checkNotNull(lines, "lines");
    write(target, out -> {
      Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
      for (String line : lines) {
        w.write(line);
        w.write('\n');
      }
      w.flush();
    });
  }

  /**
   * Opens a temporary file beside {@code target} for streaming writes. {@link Pending#commit()} moves it onto
   * the target; {@link Pending#close()} without a commit deletes it.
   *
   * @throws UncheckedIOException naming the target's folder when the temporary file cannot be created
   */
  public static Pending create(Path target) {
    checkNotNull(target, "target");
    Path absolute = target.toAbsolutePath();
    Path folder = absolute.getParent();
    Path temp = folder.resolve(tempName(absolute));
    try {
      Files.createDirectories(folder);
      FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
      return new Pending(absolute, temp, channel);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": cannot create a file in " + folder + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Assembles a folder beside {@code target}, then replaces {@code target} with it. Entries of an existing
   * target whose names {@code keep} accepts are carried over into the new folder (e.g. earlier checkpoints);
   * the rest of the old target is deleted. The final rename is atomic; replacing an existing folder is not
   * (there is a moment when neither exists).
   *
   * @throws UncheckedIOException naming the target when it cannot be written (the temporary folder is deleted)
   */
  public static void writeFolder(Path target, FolderContent content, Predicate<String> keep) {
    checkNotNull(content, "content");
    checkNotNull(keep, "keep");
    Path absolute = target.toAbsolutePath().normalize();
    Path temp = absolute.resolveSibling(tempName(absolute));
    try {
      Files.createDirectories(temp);
      content.writeInto(temp);
      if (Files.exists(absolute)) {
        try (var entries = Files.list(absolute)) {
          for (Path entry : (Iterable<Path>) entries::iterator) {
            if (keep.test(entry.getFileName().toString())) {
              Files.move(entry, temp.resolve(entry.getFileName().toString()));
            }
          }
        }
        MoreFiles.deleteRecursively(absolute, RecursiveDeleteOption.ALLOW_INSECURE);
      }
      Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      deleteQuietly(temp);
      throw e;
    }
  }

  /** Whether {@code name} is the name of one of this class's temporary files or folders. */
  public static boolean isTemporary(String name) {
    return name.startsWith(".") && name.endsWith(SUFFIX);
  }

  private static String tempName(Path absolute) {
    return "." + absolute.getFileName() + "." + UUID.randomUUID() + SUFFIX;
  }

  private static void deleteQuietly(Path path) {
    try {
      if (Files.isDirectory(path)) {
        MoreFiles.deleteRecursively(path, RecursiveDeleteOption.ALLOW_INSECURE);
      } else {
        Files.deleteIfExists(path);
      }
    } catch (IOException ignored) {
      // the original failure is the one to report
    }
  }

  /**
   * A temporary file being written; not thread-safe. Write through {@link #stream()} or {@link #channel()},
   * then {@link #commit()}. {@link #close()} is idempotent and discards an uncommitted file.
   */
  public static final class Pending implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream stream;
    private boolean done;

    private Pending(Path target, Path temp, FileChannel channel) {
      this.target = target;
      this.temp = temp;
      this.channel = channel;
      this.stream = Channels.newOutputStream(channel);
    }

    /** The file this produces (absolute). */
    public Path target() {
      return target;
    }

    /** The temporary file's channel, open for writing. */
    public FileChannel channel() {
      return channel;
    }

    /** An unbuffered stream over {@link #channel()}; closing it closes the channel (allowed before commit). */
    public OutputStream stream() {
      return stream;
    }

    /**
     * Closes the temporary file and moves it onto the target, replacing it.
     *
     * @throws IllegalStateException when already committed or closed
     * @throws UncheckedIOException naming the target when the move fails (the temporary file is deleted)
     */
    public void commit() {
      checkState(!done, "%s is already committed or closed", target);
      done = true;
      try {
        channel.close();
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } catch (IOException e) {
        deleteQuietly(temp);
        throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
      }
    }

    /** An exception naming the target for a write error (for callers that write through the stream). */
    public UncheckedIOException failure(IOException e) {
      return new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }

    /** Without a prior {@link #commit()}: deletes the temporary file, leaving the target untouched. */
    @Override
    public void close() {
      if (done) {
        return;
      }
      done = true;
      try {
        channel.close();
      } catch (IOException ignored) {
        // the file is discarded anyway
      }
      deleteQuietly(temp);
    }
  }
}
