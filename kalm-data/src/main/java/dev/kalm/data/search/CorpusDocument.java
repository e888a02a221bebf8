package dev.kalm.data.search;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.jsonl.JsonLines;
import dev.kalm.data.beir.BeirDataset;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One document of a search corpus. Immutable.
 *
 * @param id the document's id, not empty
 * @param title its title, possibly empty
 * @param text its text
 */
public record CorpusDocument(String id, String title, String text) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException for an empty id
   * @throws NullPointerException for a null argument
   */
  public CorpusDocument {
    checkNotNull(id, "id");
    checkArgument(!id.isEmpty(), "id must not be empty");
    checkNotNull(title, "title");
    checkNotNull(text, "text");
  }

  /** What gets embedded: {@code (title + " " + text).strip()}, as MTEB builds it ({@link BeirDataset#documentText}). */
  public String embeddingText() {
    return BeirDataset.documentText(title, text);
  }

  /**
   * Reads a corpus from JSON Lines (plain or {@code .gz}): one object per line with a string {@code text},
   * an optional {@code title} (string) and an optional id in {@code id} or {@code _id} (string or number;
   * a BEIR {@code corpus.jsonl} reads as it is); without an id, the 1-based line number is the id.
   * Blank lines are skipped. Reads the whole file into memory.
   *
   * @throws dev.kalm.core.jsonl.JsonLinesException for a bad line, a repeated id or a document whose title and
   *     text are both empty, naming file, line and field
   * @throws java.io.UncheckedIOException when the file cannot be read
   */
  public static ImmutableList<CorpusDocument> readJsonl(Path file) {
    ImmutableList.Builder<CorpusDocument> out = ImmutableList.builder();
    Map<String, Long> seen = new HashMap<>();
    try (Stream<JsonLine> lines = JsonLines.read(file)) {
      lines.forEach(line -> {
        String text = line.string("text");
        String title = line.optString("title", "");
        if (BeirDataset.documentText(title, text).isEmpty()) {
          throw line.error("text", "must not be empty (an empty document embeds to the zero vector)");
        }
        String field = line.has("id") ? "id" : line.has("_id") ? "_id" : null;
        String id = field == null ? String.valueOf(line.line()) : id(line, field);
        Long before = seen.putIfAbsent(id, line.line());
        if (before != null) {
          throw line.error(field, "repeated id '" + id + "' (first on line " + before + ")");
        }
        out.add(new CorpusDocument(id, title, text));
      });
    }
    return out.build();
  }

  private static String id(JsonLine line, String field) {
    Object value = line.value(field);
    if (!(value instanceof String || value instanceof Number)) {
      throw line.error(field, "must be a string or a number");
    }
    String id = value.toString();
    if (id.isEmpty()) {
      throw line.error(field, "must not be empty");
    }
    return id;
  }
}
