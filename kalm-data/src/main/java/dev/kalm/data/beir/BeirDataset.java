package dev.kalm.data.beir;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.kalm.core.io.AtomicFiles;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.jsonl.JsonLines;
import dev.kalm.core.jsonl.JsonLinesException;
import dev.kalm.core.jsonl.Utf8LineReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A retrieval dataset in BEIR layout: {@code corpus.jsonl} ({@code _id}, {@code title}, {@code text}),
 * {@code queries.jsonl} ({@code _id}, {@code text}) and {@code qrels/<split>.tsv} (query-id, corpus-id,
 * score; a header line is skipped). Immutable; maps keep file order.
 *
 * @param corpus document id to document text ({@code title + " " + text} when the title is not empty)
 * @param queries query id to query text, only queries that have qrels in the split
 * @param qrels query id to (document id to graded relevance), as in the qrels file (scores may be 0)
 * @param extras per query id, the query line's other string fields (e.g. {@code section}), possibly empty
 */
public record BeirDataset(
    Path folder,
    String split,
    ImmutableMap<String, String> corpus,
    ImmutableMap<String, String> queries,
    ImmutableMap<String, ImmutableMap<String, Integer>> qrels,
    ImmutableMap<String, ImmutableMap<String, String>> extras) {

  /**
   * Loads a BEIR folder.
   *
   * @throws UncheckedIOException when a file is missing or unreadable, naming it
   * @throws JsonLinesException for a bad line, naming file, line and field
   */
  public static BeirDataset load(Path folder, String split) {
    checkArgument(Files.isDirectory(folder), "BEIR folder %s does not exist or is not a folder", folder);
    Path qrelsFile = folder.resolve("qrels").resolve(split + ".tsv");
    Map<String, Map<String, Integer>> qrels = readQrels(qrelsFile);
    ImmutableMap.Builder<String, String> corpus = ImmutableMap.builder();
    Map<String, Long> seen = new HashMap<>();
    try (Stream<JsonLine> lines = JsonLines.read(folder.resolve("corpus.jsonl"))) {
      lines.forEach(l -> corpus.put(uniqueId(l, seen), documentText(l.optString("title", ""), l.string("text"))));
    }
    seen.clear();
    ImmutableMap.Builder<String, String> queries = ImmutableMap.builder();
    ImmutableMap.Builder<String, ImmutableMap<String, String>> extras = ImmutableMap.builder();
    try (Stream<JsonLine> lines = JsonLines.read(folder.resolve("queries.jsonl"))) {
      lines.forEach(l -> {
        String id = uniqueId(l, seen);
        if (qrels.containsKey(id)) {
          queries.put(id, l.string("text"));
          ImmutableMap.Builder<String, String> extra = ImmutableMap.builder();
          for (String field : l.fields()) {
            Object value = l.value(field);
            if (!field.equals("_id") && !field.equals("text")
                && (value instanceof String || value instanceof Number || value instanceof Boolean)) {
              extra.put(field, value.toString());
            }
          }
          extras.put(id, extra.buildOrThrow());
        }
      });
    }
    ImmutableMap.Builder<String, ImmutableMap<String, Integer>> frozen = ImmutableMap.builder();
    qrels.forEach((q, docs) -> frozen.put(q, ImmutableMap.copyOf(docs)));
    return new BeirDataset(folder, split, corpus.buildOrThrow(), queries.buildOrThrow(), frozen.buildOrThrow(),
        extras.buildOrThrow());
  }

  /**
   * Writes this data set as a BEIR folder that {@link #load}{@code (folder, split())} reads back equal (apart from
   * {@link #folder()}): {@code corpus.jsonl} ({@code _id}, {@code text}: the document text, so no title),
   * {@code queries.jsonl} ({@code _id}, {@code text} and the query's {@link #extras()}) and
   * {@code qrels/<split>.tsv} with a header line. Each file is written atomically; the folder is created.
   * (Documents with leading or trailing whitespace read back stripped, as {@link #documentText} makes them.)
   *
   * @throws UncheckedIOException naming the file that cannot be written
   */
  public void write(Path folder) {
    Gson gson = new Gson();
    List<String> corpusLines = new ArrayList<>(corpus.size());
    corpus.forEach((id, text) -> {
      JsonObject line = new JsonObject();
      line.addProperty("_id", id);
      line.addProperty("text", text);
      corpusLines.add(gson.toJson(line));
    });
    List<String> queryLines = new ArrayList<>(queries.size());
    queries.forEach((id, text) -> {
      JsonObject line = new JsonObject();
      line.addProperty("_id", id);
      line.addProperty("text", text);
      extras.getOrDefault(id, ImmutableMap.of()).forEach(line::addProperty);
      queryLines.add(gson.toJson(line));
    });
    List<String> qrelLines = new ArrayList<>(List.of("query-id\tcorpus-id\tscore"));
    qrels.forEach((query, docs) -> docs.forEach((doc, score) -> qrelLines.add(query + "\t" + doc + "\t" + score)));
    AtomicFiles.writeLines(folder.resolve("corpus.jsonl"), corpusLines);
    AtomicFiles.writeLines(folder.resolve("queries.jsonl"), queryLines);
    AtomicFiles.writeLines(folder.resolve("qrels").resolve(split + ".tsv"), qrelLines);
  }

  /**
   * A document's text as MTEB builds it: {@code (title + " " + text).strip()} with Python's
   * {@code str.strip()} (every character for which Python's {@code isspace()} holds is stripped from both
   * ends, so also a text's own leading and trailing whitespace). A null title counts as empty.
   */
  public static String documentText(@Nullable String title, String text) {
    return pythonStrip((title == null ? "" : title) + " " + text);
  }

  /** Python's {@code str.strip()}: Java's whitespace, the space separators (no-break spaces included) and NEL. */
  static String pythonStrip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && pythonSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && pythonSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean pythonSpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
  }

  /** The line's {@code _id} (a string or a number), which must not repeat one in {@code seen} (id to line). */
  private static String uniqueId(JsonLine l, Map<String, Long> seen) {
    if (!l.has("_id")) {
      throw l.error("_id", "missing");
    }
    Object value = l.value("_id");
    if (!(value instanceof String || value instanceof Number)) {
      throw l.error("_id", "must be a string or a number, got " + l.rawJson("_id"));
    }
    String id = value.toString();
    Long before = seen.putIfAbsent(id, l.line());
    if (before != null) {
      throw l.error("_id", "repeated id '" + id + "' (first on line " + before + ")");
    }
    return id;
  }

  private static Map<String, Map<String, Integer>> readQrels(Path file) {
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    try (Utf8LineReader reader = Utf8LineReader.open(file)) {
      String line;
      while ((line = reader.readLine()) != null) {
        long number = reader.lineNumber();
        if (line.isBlank()) {
          continue;
        }
        String[] cols = line.split("\t");
        if (number == 1 && cols.length >= 3 && !isInteger(cols[cols.length - 1].trim())) {
          continue; // header: query-id corpus-id score
        }
        if (cols.length < 3) {
          throw new JsonLinesException(file, number, null, "expected 3 tab-separated columns (query-id, corpus-id, score)");
        }
        String score = cols[cols.length - 1].trim();
        if (!isInteger(score)) {
          throw new JsonLinesException(file, number, "score", "must be an integer, got '" + score + "'");
        }
        qrels.computeIfAbsent(cols[0].trim(), k -> new LinkedHashMap<>()).put(cols[1].trim(), Integer.parseInt(score));
      }
    }
    return qrels;
  }

  private static boolean isInteger(String s) {
    return s.matches("-?\\d{1,9}");
  }
}
