package dev.kalm.core.model;

import java.nio.file.Path;

/** A model folder or one of its files that cannot be used; the message names the file and what is wrong. */
public final class ModelFormatException extends RuntimeException {
  public ModelFormatException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public ModelFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }

  /** A problem at a 1-based line of {@code file}: the message reads {@code file:line: problem}. */
  public ModelFormatException(Path file, long line, String problem, Throwable cause) {
    super(file + ":" + line + ": " + problem, cause);
  }
}
