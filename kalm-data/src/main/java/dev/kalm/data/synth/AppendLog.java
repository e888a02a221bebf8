package dev.kalm.data.synth;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A JSON Lines file that is only appended to, one whole line per write, flushed to the operating system
 * at once: a killed process leaves at most one unterminated last line, which {@link #dropPartialLastLine}
 * removes before the file is read again. Thread safe.
 */
final class AppendLog implements Closeable {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private final OutputStream out;

  private AppendLog(OutputStream out) {
    this.out = out;
  }

  /** Opens {@code file} for appending, creating it (and its folder) when absent. */
  static AppendLog open(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return new AppendLog(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE));
  }

  /** Appends one line (compact JSON and a newline) in a single write. */
  synchronized void append(JsonObject line) throws IOException {
    out.write((GSON.toJson(line) + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }

  /**
   * Cuts an unterminated last line (a write cut short by a kill) off {@code file}; does nothing when the
   * file is absent, empty or ends with a newline.
   *
   * @return the number of bytes removed
   */
  static long dropPartialLastLine(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      if (size == 0) {
        return 0;
      }
      ByteBuffer block = ByteBuffer.allocate(1 << 16);
      long end = size;
      while (end > 0) {
        long start = Math.max(0, end - block.capacity());
        block.clear().limit((int) (end - start));
        while (block.hasRemaining()) {
          if (ch.read(block, start + block.position()) < 0) {
            throw new IOException("unexpected end of " + file);
          }
        }
        for (int i = (int) (end - start) - 1; i >= 0; i--) {
          if (block.get(i) == '\n') {
            long keep = start + i + 1;
            if (keep < size) {
              ch.truncate(keep);
            }
            return size - keep;
          }
        }
        end = start;
      }
      ch.truncate(0);
      return size;
    }
  }
}
