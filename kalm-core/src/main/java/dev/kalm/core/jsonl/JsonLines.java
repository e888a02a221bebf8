package dev.kalm.core.jsonl;

import com.google.common.collect.AbstractIterator;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kalm.core.internal.json.StrictJson;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * Streaming reader for JSON Lines: one strict JSON object per line ({@link StrictJson}), blank lines skipped,
 * strict UTF-8 ({@link Utf8LineReader}), plain or gzipped ({@code .gz}). Memory use is one line at a time.
 * Errors name the file and the 1-based line: {@code train.jsonl:3: invalid JSON at column 10 near 'oops}': ...},
 * {@code in.jsonl:5: not valid UTF-8: byte 0xff at byte 12 of the line}.
 *
 * <pre>{@code
 * try (Stream<JsonLine> lines = JsonLines.read(Path.of("train.jsonl"))) {
 *   lines.forEach(l -> System.out.println(l.string("query")));
 * }
 * }</pre>
 */
public final class JsonLines {
  private JsonLines() {}

  /**
   * Lines of a file, lazily; close the stream.
   *
   * @throws JsonLinesException (while streaming) for a line that is not UTF-8 or not a strict JSON object
   * @throws UncheckedIOException when the file cannot be opened, naming it
   */
  public static Stream<JsonLine> read(Path file) {
    return read(file, null);
  }

  /**
   * Lines of a file, lazily, handing lines that are not UTF-8 or not JSON objects to {@code onInvalid} instead of
   * throwing (null: throw). Close the stream.
   *
   * @throws UncheckedIOException when the file cannot be opened, naming it
   */
  public static Stream<JsonLine> read(Path file, @Nullable Consumer<JsonLinesException> onInvalid) {
    return read(Utf8LineReader.open(file), onInvalid);
  }

  /**
   * Lines of a byte stream (e.g. standard input), named {@code source} in errors; closing the stream closes
   * {@code in}. Same contract as {@link #read(Path)}.
   */
  public static Stream<JsonLine> read(InputStream in, String source) {
    return read(in, source, null);
  }

  /**
   * Lines of a byte stream, named {@code source} in errors; a line that is not UTF-8 or not a JSON object goes to
   * {@code onInvalid} and is left out (null: throw the {@link JsonLinesException}). Closing the stream closes
   * {@code in}. This is the one line iterator behind every JSON Lines reader of kalm.
   */
  public static Stream<JsonLine> read(InputStream in, String source, @Nullable Consumer<JsonLinesException> onInvalid) {
    return read(new Utf8LineReader(in, source), onInvalid);
  }

  private static Stream<JsonLine> read(Utf8LineReader reader, @Nullable Consumer<JsonLinesException> onInvalid) {
    Iterator<JsonLine> it = new AbstractIterator<>() {
      @Override
      protected JsonLine computeNext() {
        while (true) {
          try {
            String text = reader.readLine();
            if (text == null) {
              return endOfData();
            }
            if (!text.isBlank()) {
              long line = reader.lineNumber();
              return new JsonLine(reader.source(), line, parseObject(text, reader.source(), line));
            }
          } catch (JsonLinesException invalid) {
            if (onInvalid == null) {
              throw invalid;
            }
            onInvalid.accept(invalid);
          }
        }
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(reader::close);
  }

  /**
   * Parses one line strictly as a JSON object ({@link JsonLine#parse} for callers outside this package).
   *
   * @throws JsonLinesException naming {@code source} and {@code line} when it is not one
   */
  static JsonObject parseObject(String text, String source, long line) {
    JsonElement element;
    try {
      element = StrictJson.parse(text);
    } catch (StrictJson.Malformed e) {
      throw new JsonLinesException(source, line, null, e.problem());
    }
    if (!element.isJsonObject()) {
      throw new JsonLinesException(source, line, null, "expected a JSON object, got " + text.strip().charAt(0) + "...");
    }
    return element.getAsJsonObject();
  }
}
