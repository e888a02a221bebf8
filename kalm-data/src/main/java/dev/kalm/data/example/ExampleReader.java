package dev.kalm.data.example;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.internal.json.StrictJson;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.jsonl.JsonLines;
import dev.kalm.core.jsonl.JsonLinesException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Streams {@link TrainingExample}s from JSON Lines files in the {@link ExampleJson} layout, one line
 * in memory at a time, so files larger than memory can be read.
 *
 * <p>A file's examples get the file's name without extension as their task ({@code msmarco.jsonl} and
 * {@code msmarco.jsonl.gz} give {@code msmarco}) unless a line has a {@code task} field. A folder is read
 * file by file in name order: every {@code *.jsonl}, {@code *.jsonl.gz} and {@code *.json} directly in it.
 *
 * <p>Bad lines (invalid JSON, a missing or wrongly typed field, an empty query, no positive, score lists
 * of the wrong size): in {@link Mode#STRICT} mode the stream throws a {@link JsonLinesException} naming
 * file, line and field; in {@link Mode#LENIENT} mode the line is skipped and counted in {@link #report()}.
 *
 * <p>Thread safety: one reader may be used by several threads; its report adds up every stream it made.
 *
 * <pre>{@code
 * ExampleReader reader = ExampleReader.lenient();
 * try (Stream<TrainingExample> examples = reader.read(Path.of("data/"))) {
 *   examples.forEach(writer::write);
 * }
 * System.err.println(reader.report());
 * }</pre>
 */
public final class ExampleReader {
  /** How many error messages a report keeps. */
  public static final int MAX_ERRORS_KEPT = 20;

  /** What to do with a bad line. */
  public enum Mode {
    /** Throw a {@link JsonLinesException} naming file, line and field. */
    STRICT,
    /** Skip the line and count it by reason. */
    LENIENT
  }

  private final Mode mode;
  private final AtomicLong lines = new AtomicLong();
  private final AtomicLong examples = new AtomicLong();
  private final Map<String, Long> skipped = new LinkedHashMap<>();
  private final List<String> errors = new ArrayList<>();

  private ExampleReader(Mode mode) {
    this.mode = checkNotNull(mode, "mode");
  }

  /** A reader that stops at the first bad line. */
  public static ExampleReader strict() {
    return new ExampleReader(Mode.STRICT);
  }

  /** A reader that skips and counts bad lines. */
  public static ExampleReader lenient() {
    return new ExampleReader(Mode.LENIENT);
  }

  /** A reader in the given mode. */
  public static ExampleReader of(Mode mode) {
    return new ExampleReader(mode);
  }

  /** This reader's mode. */
  public Mode mode() {
    return mode;
  }

  /**
   * The examples of a file or of every example file in a folder, lazily, in file then line order.
   * Close the stream (try-with-resources) to close the file.
   *
   * @throws UncheckedIOException when the path does not exist or cannot be read, naming it
   * @throws IllegalArgumentException for a folder without example files
   * @throws JsonLinesException while streaming, for a bad line in strict mode
   */
  public Stream<TrainingExample> read(Path fileOrFolder) {
    checkNotNull(fileOrFolder, "fileOrFolder");
    if (!Files.isDirectory(fileOrFolder)) {
      return readFile(fileOrFolder);
    }
    List<Path> files = exampleFiles(fileOrFolder);
    checkArgument(!files.isEmpty(), "folder %s holds no *.jsonl, *.jsonl.gz or *.json file", fileOrFolder);
    return files.stream().flatMap(this::readFile);
  }

  /**
   * The files {@link #read(Path)} reads, in its order: the file itself, or a folder's example files
   * ({@code *.jsonl}, {@code *.jsonl.gz}, {@code *.json}) in name order.
   *
   * @throws UncheckedIOException when a folder cannot be listed
   * @throws IllegalArgumentException for a folder without example files
   */
  public static ImmutableList<Path> files(Path fileOrFolder) {
    checkNotNull(fileOrFolder, "fileOrFolder");
    if (!Files.isDirectory(fileOrFolder)) {
      return ImmutableList.of(fileOrFolder);
    }
    List<Path> files = exampleFiles(fileOrFolder);
    checkArgument(!files.isEmpty(), "folder %s holds no *.jsonl, *.jsonl.gz or *.json file", fileOrFolder);
    return ImmutableList.copyOf(files);
  }

  /** Reads a whole file or folder into a list (strict or lenient as this reader). */
  public ImmutableList<TrainingExample> readAll(Path fileOrFolder) {
    try (Stream<TrainingExample> s = read(fileOrFolder)) {
      return s.collect(ImmutableList.toImmutableList());
    }
  }

  /**
   * The examples of a byte stream of UTF-8 JSON Lines (e.g. standard input), lazily; {@code source} names it in
   * errors, {@code task} is the task of lines without one. A line that is not valid UTF-8 is a bad line
   * ({@link ReadReport#NOT_UTF8}). Closing the stream closes {@code in}.
   */
  public Stream<TrainingExample> read(InputStream in, String source, String task) {
    checkNotNull(in, "in");
    checkNotNull(source, "source");
    checkArgument(task != null && !task.isEmpty(), "task must not be empty, got '%s'", task);
    return examples(JsonLines.read(in, source, this::invalidJson), task);
  }

  /** Counts so far, over every stream this reader made. */
  public synchronized ReadReport report() {
    return new ReadReport(lines.get(), examples.get(), ImmutableMap.copyOf(skipped), ImmutableList.copyOf(errors));
  }

  /** The task a file's examples get by default: its name without {@code .gz} and without its extension. */
  public static String taskOf(Path file) {
    String name = file.getFileName().toString();
    if (name.endsWith(".gz")) {
      name = name.substring(0, name.length() - 3);
    }
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  private Stream<TrainingExample> readFile(Path file) {
    return examples(JsonLines.read(file, this::invalidJson), taskOf(file));
  }

  private Stream<TrainingExample> examples(Stream<JsonLine> jsonLines, String task) {
    return jsonLines.map(line -> {
      lines.incrementAndGet();
      try {
        TrainingExample example = ExampleJson.parseChecked(line, task);
        examples.incrementAndGet();
        return example;
      } catch (ExampleJson.ExampleProblem problem) {
        return skip(problem.reason(), problem.error());
      }
    }).filter(Objects::nonNull);
  }

  /** A line that is not UTF-8 or not a JSON object: counted as a line, then thrown (strict) or skipped (lenient). */
  private void invalidJson(JsonLinesException invalid) {
    lines.incrementAndGet();
    skip(invalid.getMessage().contains(": " + StrictJson.NOT_UTF8) ? ReadReport.NOT_UTF8 : ReadReport.INVALID_JSON,
        invalid);
  }

  private @Nullable TrainingExample skip(String reason, JsonLinesException error) {
    if (mode == Mode.STRICT) {
      throw error;
    }
    synchronized (this) {
      skipped.merge(reason, 1L, Long::sum);
      if (errors.size() < MAX_ERRORS_KEPT) {
        errors.add(error.getMessage());
      }
    }
    return null;
  }

  private static List<Path> exampleFiles(Path folder) {
    try (Stream<Path> children = Files.list(folder)) {
      return children
          .filter(Files::isRegularFile)
          .filter(p -> {
            String n = p.getFileName().toString();
            return n.endsWith(".jsonl") || n.endsWith(".jsonl.gz") || n.endsWith(".json");
          })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
    }
  }
}
