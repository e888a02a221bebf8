package dev.kalm.train.eval;

import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.jsonl.JsonLines;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reading evaluation JSON Lines files; errors name file, line and field. Stateless. */
final class Readers {
  private Readers() {}

  /** Every line of {@code file} mapped by {@code parse}, in file order. */
  static <T> List<T> readAll(Path file, Function<JsonLine, T> parse) {
    try (Stream<JsonLine> lines = JsonLines.read(file)) {
      return lines.map(parse).collect(Collectors.toList());
    }
  }

  /** A label field: a string, or a number (integral numbers written without a fraction, {@code 3} not {@code 3.0}). */
  static String label(JsonLine line, String field) {
    Object value = line.value(field);
    if (value == null) {
      throw line.error(field, "missing");
    }
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof Number n) {
      double d = n.doubleValue();
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
    if (value instanceof Boolean b) {
      return b ? "1" : "0";
    }
    throw line.error(field, "must be a string or a number");
  }

  /** An error about a whole file (no particular line), naming it. */
  static IllegalArgumentException fileError(Path file, String problem) {
    return new IllegalArgumentException(file + ": " + problem);
  }
}
