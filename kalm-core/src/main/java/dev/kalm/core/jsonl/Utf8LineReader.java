package dev.kalm.core.jsonl;

import dev.kalm.core.internal.json.StrictJson;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Lines of a byte stream decoded as strict UTF-8, with exact 1-based line numbers: a line ends at {@code \n}
 * (a {@code \r} before it is dropped), which cannot occur inside a multi-byte UTF-8 sequence, so each line is
 * decoded on its own and an invalid byte is reported on the line it is on. A byte order mark at the start of
 * the first line is dropped. Memory use is one line. Not thread-safe.
 *
 * <pre>{@code
 * try (Utf8LineReader in = Utf8LineReader.open(Path.of("qrels.tsv"))) {
 *   for (String line; (line = in.readLine()) != null; ) { ... in.lineNumber() ... }
 * }
 * }</pre>
 */
public final class Utf8LineReader implements Closeable {
  private final InputStream in;
  private final String source;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
  private final byte[] buffer = new byte[1 << 16];
  private int position;
  private int limit;
  private byte[] line = new byte[1 << 10];
  private long lineNumber;

  /** Reads {@code in}, named {@code source} (a file name or "stdin") in errors; closing this closes {@code in}. */
  public Utf8LineReader(InputStream in, String source) {
    this.in = in;
    this.source = source;
  }

  /**
   * Opens a file, gunzipping a {@code .gz} one.
   *
   * @throws UncheckedIOException naming the file when it is missing or cannot be read
   */
  public static Utf8LineReader open(Path file) {
    try {
      InputStream raw = Files.newInputStream(file);
      InputStream in = file.getFileName().toString().endsWith(".gz") ? gunzip(raw, file) : raw;
      return new Utf8LineReader(in, file.toString());
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("no such file: " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static InputStream gunzip(InputStream raw, Path file) throws IOException {
    try {
      return new GZIPInputStream(raw, 1 << 16);
    } catch (IOException e) {
      raw.close();
      throw new IOException("not a gzip file (" + e.getMessage() + ")", e);
    }
  }

  /** The source name given at construction. */
  public String source() {
    return source;
  }

  /** The number of the line last returned by {@link #readLine()} (0 before the first). */
  public long lineNumber() {
    return lineNumber;
  }

  /**
   * The next line without its terminator, or null at the end of the stream.
   *
   * @throws JsonLinesException naming the source and line when the line is not valid UTF-8
   * @throws UncheckedIOException naming the source and line when reading fails
   */
  public @Nullable String readLine() {
    int length = 0;
    boolean any = false;
    try {
      while (true) {
        if (position == limit) {
          int read = in.read(buffer);
          if (read <= 0) {
            if (!any) {
              return null;
            }
            break;
          }
          position = 0;
          limit = read;
        }
        any = true;
        int start = position;
        while (position < limit && buffer[position] != '\n') {
          position++;
        }
        int n = position - start;
        if (length + n > line.length) {
          line = Arrays.copyOf(line, Math.max(2 * line.length, length + n));
        }
        System.arraycopy(buffer, start, line, length, n);
        length += n;
        if (position < limit) {
          position++; // the '\n'
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + " at line " + (lineNumber + 1) + ": " + e.getMessage(), e);
    }
    lineNumber++;
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    try {
      String text = StrictJson.decodeUtf8(line, 0, length, lineNumber, decoder);
      return lineNumber == 1 ? StrictJson.dropByteOrderMark(text) : text;
    } catch (StrictJson.Malformed e) {
      throw new JsonLinesException(source, lineNumber, null, e.problem());
    }
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + source + ": " + e.getMessage(), e);
    }
  }
}
