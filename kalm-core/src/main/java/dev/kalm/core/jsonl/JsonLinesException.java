package dev.kalm.core.jsonl;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** A bad line in a JSON Lines file; the message names the file, the 1-based line and the field. */
public final class JsonLinesException extends RuntimeException {
  private final String source;
  private final long line;
  private final @Nullable String field;

  public JsonLinesException(String source, long line, @Nullable String field, String problem) {
    super(source + ":" + line + (field == null ? "" : ": field '" + field + "'") + ": " + problem);
    this.source = source;
    this.line = line;
    this.field = field;
  }

  public JsonLinesException(Path file, long line, @Nullable String field, String problem) {
    this(file.toString(), line, field, problem);
  }

  /** The file (or "stdin") the line came from. */
  public String source() {
    return source;
  }

  /** The 1-based line number. */
  public long line() {
    return line;
  }

  /** The field at fault, or null when the line as a whole is bad. */
  public @Nullable String field() {
    return field;
  }
}
