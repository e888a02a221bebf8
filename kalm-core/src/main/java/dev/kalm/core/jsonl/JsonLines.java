package dev.kalm.core.jsonl;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.common.collect.AbstractIterator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * Streaming reader for JSON Lines: one JSON object per line, blank lines skipped, UTF-8, plain or
 * gzipped ({@code .gz}). Memory use is one line at a time. Errors name the file and the 1-based line.
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
   * @throws JsonLinesException (while streaming) for a line that is not a JSON object
   * @throws UncheckedIOException when the file cannot be opened, naming it
   */
  public static Stream<JsonLine> read(Path file) {
    return read(file, null);
  }

  /**
   * Lines of a file, lazily, handing lines that are not JSON objects to {@code onInvalid} instead of throwing
   * (null: throw). Close the stream.
   *
   * @throws UncheckedIOException when the file cannot be opened, naming it
   */
  public static Stream<JsonLine> read(Path file, @Nullable Consumer<JsonLinesException> onInvalid) {
    Reader reader;
    try {
      if (file.getFileName().toString().endsWith(".gz")) {
        reader = new java.io.InputStreamReader(
            new GZIPInputStream(Files.newInputStream(file), 1 << 16), StandardCharsets.UTF_8);
      } else {
        reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
      }
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("no such file: " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return read(reader, file.toString(), onInvalid);
  }

  /** Lines from a reader (e.g. standard input), named {@code source} in errors; closing the stream closes the reader. */
  public static Stream<JsonLine> read(Reader reader, String source) {
    return read(reader, source, null);
  }

  /**
   * Lines from a reader, named {@code source} in errors; a line that is not a JSON object goes to
   * {@code onInvalid} and is left out (null: throw the {@link JsonLinesException}). Closing the stream closes
   * the reader. This is the one line iterator behind every JSON Lines reader of kalm.
   */
  public static Stream<JsonLine> read(Reader reader, String source, @Nullable Consumer<JsonLinesException> onInvalid) {
    BufferedReader buffered = reader instanceof BufferedReader b ? b : new BufferedReader(reader, 1 << 16);
    Iterator<JsonLine> it = new AbstractIterator<>() {
      long lineNumber;

      @Override
      protected JsonLine computeNext() {
        try {
          String text;
          while ((text = buffered.readLine()) != null) {
            lineNumber++;
            if (text.isBlank()) {
              continue;
            }
            try {
              return new JsonLine(source, lineNumber, parseObject(text, source, lineNumber));
            } catch (JsonLinesException invalid) {
              if (onInvalid == null) {
                throw invalid;
              }
              onInvalid.accept(invalid);
            }
          }
          return endOfData();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + source + " at line " + (lineNumber + 1), e);
        }
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(() -> {
          try {
            buffered.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** Parses one line as a JSON object. @throws JsonLinesException when it is not one */
  public static com.google.gson.JsonObject parseObject(String text, String source, long line) {
    JsonElement element;
    try {
      element = JsonParser.parseString(text);
    } catch (JsonParseException e) {
      String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
      throw new JsonLinesException(source, line, null, "invalid JSON: " + why);
    }
    if (!element.isJsonObject()) {
      throw new JsonLinesException(source, line, null, "expected a JSON object, got " + text.strip().charAt(0) + "...");
    }
    return element.getAsJsonObject();
  }
}
