package dev.kalm.data.example;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.jsonl.JsonLinesException;
import java.util.List;

/**
 * The JSON Lines layout of {@link TrainingExample}s (KaLM / FlagEmbedding):
 *
 * <table>
 *   <caption>fields</caption>
 *   <tr><th>field</th><th>type</th><th></th></tr>
 *   <tr><td>{@code query}</td><td>string</td><td>required, not blank</td></tr>
 *   <tr><td>{@code pos}</td><td>list of strings (or one string)</td><td>required, at least one, none blank</td></tr>
 *   <tr><td>{@code neg}</td><td>list of strings (or one string)</td><td>optional, default empty, none blank</td></tr>
 *   <tr><td>{@code task}</td><td>string</td><td>optional, default: the file's name without extension</td></tr>
 *   <tr><td>{@code instruction}</td><td>string</td><td>optional</td></tr>
 *   <tr><td>{@code prompt}</td><td>string</td><td>optional: FlagEmbedding's name for the query instruction,
 *       read as {@code instruction} when that is absent (and kept as an extra field, so it is written back
 *       as {@code prompt}, not duplicated as {@code instruction})</td></tr>
 *   <tr><td>{@code pos_scores}, {@code neg_scores}</td><td>list of numbers</td><td>optional, one per document</td></tr>
 * </table>
 *
 * Any other field is kept in {@link TrainingExample#extras()} and written back after the known ones.
 * Stateless and thread-safe.
 */
public final class ExampleJson {
  /** The field names this layout gives a meaning to. */
  public static final ImmutableSet<String> FIELDS =
      ImmutableSet.of("query", "pos", "neg", "task", "instruction", "pos_scores", "neg_scores");

  /** FlagEmbedding's field for the query instruction. */
  static final String PROMPT = "prompt";

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private ExampleJson() {}

  /**
   * Parses one line.
   *
   * @param defaultTask the task when the line has no {@code task} field
   * @throws JsonLinesException for a missing or wrongly typed field, a blank query, no positive or a
   *     score list of the wrong size, naming file, line and field
   */
  public static TrainingExample parse(JsonLine line, String defaultTask) {
    try {
      return parseChecked(line, defaultTask);
    } catch (ExampleProblem problem) {
      throw problem.error();
    }
  }

  /** The example as a JSON object in this layout ({@code task} always written; empty optional fields left out). */
  private static JsonObject toJson(TrainingExample example) {
    JsonObject o = new JsonObject();
    o.addProperty("query", example.query());
    o.add("pos", strings(example.positives()));
    o.add("neg", strings(example.negatives()));
    o.addProperty("task", example.task());
    String prompt = example.extras().get(PROMPT);
    if (example.instruction() != null
        && (prompt == null || !prompt.equals(GSON.toJson(example.instruction())))) { // not read from "prompt"
      o.addProperty("instruction", example.instruction());
    }
    if (!example.posScores().isEmpty()) {
      o.add("pos_scores", numbers(example.posScores()));
    }
    if (!example.negScores().isEmpty()) {
      o.add("neg_scores", numbers(example.negScores()));
    }
    example.extras().forEach((k, v) -> o.add(k, JsonParser.parseString(v)));
    return o;
  }

  /** The example as one line of JSON, without the line break; non-ASCII and HTML characters are not escaped. */
  public static String toLine(TrainingExample example) {
    return GSON.toJson(toJson(example));
  }

  /** Parses a line, throwing {@link ExampleProblem} so that readers can count problems by kind. */
  static TrainingExample parseChecked(JsonLine line, String defaultTask) {
    String query = requiredString(line, "query");
    if (query.isBlank()) {
      throw new ExampleProblem(ReadReport.EMPTY_QUERY, line.error("query", "must not be empty"));
    }
    if (!line.has("pos")) {
      throw new ExampleProblem(ReadReport.MISSING_FIELD, line.error("pos", "missing"));
    }
    List<String> positives = strings(line, "pos");
    if (positives.isEmpty()) {
      throw new ExampleProblem(ReadReport.NO_POSITIVE, line.error("pos", "must hold at least one positive"));
    }
    for (int i = 0; i < positives.size(); i++) {
      if (positives.get(i).isBlank()) {
        throw new ExampleProblem(ReadReport.NO_POSITIVE, line.error("pos[" + i + "]", "must not be empty"));
      }
    }
    List<String> negatives = line.has("neg") ? strings(line, "neg") : List.of();
    for (int i = 0; i < negatives.size(); i++) {
      if (negatives.get(i).isBlank()) {
        throw new ExampleProblem(ReadReport.EMPTY_NEGATIVE, line.error("neg[" + i + "]", "must not be empty"));
      }
    }
    String task = optionalString(line, "task", defaultTask);
    if (task.isEmpty()) {
      throw new ExampleProblem(ReadReport.WRONG_TYPE, line.error("task", "must not be empty"));
    }
    String instruction = optionalString(line, "instruction", null);
    if (instruction == null) {
      String prompt = optionalString(line, PROMPT, null);
      instruction = prompt == null || prompt.isBlank() ? null : prompt;
    }
    List<Double> posScores = scores(line, "pos_scores", positives.size());
    List<Double> negScores = scores(line, "neg_scores", negatives.size());
    ImmutableMap.Builder<String, String> extras = ImmutableMap.builder();
    for (String field : line.fields()) {
      if (!FIELDS.contains(field)) {
        extras.put(field, GSON.toJson(JsonParser.parseString(line.rawJson(field))));
      }
    }
    return new TrainingExample(query, ImmutableList.copyOf(positives), ImmutableList.copyOf(negatives), task,
        instruction, ImmutableList.copyOf(posScores), ImmutableList.copyOf(negScores), extras.buildOrThrow());
  }

  private static String requiredString(JsonLine line, String field) {
    if (!line.has(field)) {
      throw new ExampleProblem(ReadReport.MISSING_FIELD, line.error(field, "missing"));
    }
    return optionalString(line, field, null);
  }

  private static String optionalString(JsonLine line, String field, String fallback) {
    try {
      return line.optString(field, fallback);
    } catch (JsonLinesException e) {
      throw new ExampleProblem(ReadReport.WRONG_TYPE, e);
    }
  }

  private static List<String> strings(JsonLine line, String field) {
    try {
      return line.strings(field);
    } catch (JsonLinesException e) {
      throw new ExampleProblem(ReadReport.WRONG_TYPE, e);
    }
  }

  private static List<Double> scores(JsonLine line, String field, int expected) {
    if (!line.has(field)) {
      return List.of();
    }
    if (!(line.value(field) instanceof List<?> array)) {
      throw new ExampleProblem(ReadReport.WRONG_TYPE, line.error(field, "must be a list of numbers"));
    }
    if (array.size() != expected) {
      throw new ExampleProblem(ReadReport.BAD_SCORES,
          line.error(field, "must hold one score per document (" + expected + "), got " + array.size()));
    }
    ImmutableList.Builder<Double> out = ImmutableList.builderWithExpectedSize(array.size());
    for (int i = 0; i < array.size(); i++) {
      if (!(array.get(i) instanceof Number item)) {
        throw new ExampleProblem(ReadReport.WRONG_TYPE, line.error(field + "[" + i + "]", "must be a number"));
      }
      double value = item.doubleValue();
      if (!Double.isFinite(value)) {
        throw new ExampleProblem(ReadReport.BAD_SCORES, line.error(field + "[" + i + "]", "must be finite"));
      }
      out.add(value);
    }
    return out.build();
  }

  private static JsonArray strings(List<String> values) {
    JsonArray a = new JsonArray(values.size());
    values.forEach(a::add);
    return a;
  }

  private static JsonArray numbers(List<Double> values) {
    JsonArray a = new JsonArray(values.size());
    values.forEach(a::add);
    return a;
  }

  /** A bad line together with the kind of problem (one of the {@link ReadReport} reason names). */
  static final class ExampleProblem extends RuntimeException {
    private final String reason;

    ExampleProblem(String reason, JsonLinesException error) {
      super(error.getMessage(), error, false, false);
      this.reason = reason;
    }

    String reason() {
      return reason;
    }

    JsonLinesException error() {
      return (JsonLinesException) getCause();
    }
  }
}
