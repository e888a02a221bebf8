package dev.kalm.data.example;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One contrastive training example: a query, one or more positive documents, zero or more hard
 * negatives, the task (dataset) it belongs to, an optional instruction and optional teacher scores.
 * Immutable and thread-safe; build with {@link #builder()} or derive with the {@code with*} methods.
 *
 * <p>Serialised as one JSON Lines object in the KaLM / FlagEmbedding layout (see {@link ExampleJson}):
 * <pre>{@code {"query": "...", "pos": ["..."], "neg": ["..."], "task": "...", "instruction": "...",
 *  "pos_scores": [0.9], "neg_scores": [0.4, ...]}}</pre>
 * The line's other fields are kept in {@link #extras()} and written back unchanged.
 *
 * @param query the query text, not blank
 * @param positives documents that answer the query, at least one, none blank
 * @param negatives hard negatives, possibly empty
 * @param task the task or dataset name, not empty; semi-homogeneous batching groups by it
 * @param instruction the task instruction for the query (without the {@code Instruct:} template), or null
 * @param posScores teacher scores of the positives: empty, or one per positive, finite
 * @param negScores teacher scores of the negatives: empty, or one per negative, finite
 * @param extras the other fields of the JSON line: field name to its JSON text, in line order; names
 *     must not be one of {@link ExampleJson#FIELDS}
 */
public record TrainingExample(
    String query,
    ImmutableList<String> positives,
    ImmutableList<String> negatives,
    String task,
    @Nullable String instruction,
    ImmutableList<Double> posScores,
    ImmutableList<Double> negScores,
    ImmutableMap<String, String> extras) {

  /** The task of examples that do not name one. */
  public static final String DEFAULT_TASK = "default";

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException when a constraint above is violated, naming the argument
   * @throws NullPointerException for null arguments (other than {@code instruction}) or null elements
   */
  public TrainingExample {
    checkNotNull(query, "query");
    checkArgument(!query.isBlank(), "query must not be blank, got '%s'", query);
    positives = ImmutableList.copyOf(checkNotNull(positives, "positives"));
    checkArgument(!positives.isEmpty(), "positives must not be empty (query '%s')", query);
    for (int i = 0; i < positives.size(); i++) {
      checkArgument(!positives.get(i).isBlank(), "positives[%s] must not be blank (query '%s')", i, query);
    }
    negatives = ImmutableList.copyOf(checkNotNull(negatives, "negatives"));
    checkNotNull(task, "task");
    checkArgument(!task.isEmpty(), "task must not be empty");
    posScores = ImmutableList.copyOf(checkNotNull(posScores, "posScores"));
    negScores = ImmutableList.copyOf(checkNotNull(negScores, "negScores"));
    checkArgument(posScores.isEmpty() || posScores.size() == positives.size(),
        "posScores must be empty or have one score per positive (%s), got %s", positives.size(), posScores.size());
    checkArgument(negScores.isEmpty() || negScores.size() == negatives.size(),
        "negScores must be empty or have one score per negative (%s), got %s", negatives.size(), negScores.size());
    checkFinite(posScores, "posScores");
    checkFinite(negScores, "negScores");
    extras = ImmutableMap.copyOf(checkNotNull(extras, "extras"));
    for (Map.Entry<String, String> e : extras.entrySet()) {
      checkArgument(!ExampleJson.FIELDS.contains(e.getKey()),
          "extras must not contain the reserved field '%s' (reserved: %s)", e.getKey(), ExampleJson.FIELDS);
      try {
        JsonParser.parseString(e.getValue());
      } catch (JsonParseException bad) {
        throw new IllegalArgumentException("extras['" + e.getKey() + "'] is not valid JSON: " + e.getValue(), bad);
      }
    }
  }

  /** A new builder with no query, no documents and task {@value #DEFAULT_TASK}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this example's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.query = query;
    b.positives.addAll(positives);
    b.negatives.addAll(negatives);
    b.task = task;
    b.instruction = instruction;
    b.posScores.addAll(posScores);
    b.negScores.addAll(negScores);
    b.extras.putAll(extras);
    return b;
  }

  /** This example with another query. */
  public TrainingExample withQuery(String newQuery) {
    return new TrainingExample(newQuery, positives, negatives, task, instruction, posScores, negScores, extras);
  }

  /** This example with other positives and no positive scores. */
  public TrainingExample withPositives(List<String> newPositives) {
    return withPositives(newPositives, List.of());
  }

  /** This example with other positives and their scores (empty or one per positive). */
  public TrainingExample withPositives(List<String> newPositives, List<Double> newPosScores) {
    return new TrainingExample(query, ImmutableList.copyOf(newPositives), negatives, task, instruction,
        ImmutableList.copyOf(newPosScores), negScores, extras);
  }

  /** This example with other negatives and no negative scores. */
  public TrainingExample withNegatives(List<String> newNegatives) {
    return withNegatives(newNegatives, List.of());
  }

  /** This example with other negatives and their scores (empty or one per negative). */
  public TrainingExample withNegatives(List<String> newNegatives, List<Double> newNegScores) {
    return new TrainingExample(query, positives, ImmutableList.copyOf(newNegatives), task, instruction, posScores,
        ImmutableList.copyOf(newNegScores), extras);
  }

  /** This example with another task. */
  public TrainingExample withTask(String newTask) {
    return new TrainingExample(query, positives, negatives, newTask, instruction, posScores, negScores, extras);
  }

  /** This example with another instruction (null for none). */
  public TrainingExample withInstruction(@Nullable String newInstruction) {
    return new TrainingExample(query, positives, negatives, task, newInstruction, posScores, negScores, extras);
  }

  /** This example with teacher scores (each empty, or one per positive / negative). */
  public TrainingExample withScores(List<Double> newPosScores, List<Double> newNegScores) {
    return new TrainingExample(query, positives, negatives, task, instruction, ImmutableList.copyOf(newPosScores),
        ImmutableList.copyOf(newNegScores), extras);
  }

  /** The first positive, the one contrastive training pairs with the query. */
  public String firstPositive() {
    return positives.get(0);
  }

  /** The extra fields as a new, mutable Gson object (a copy: changing it changes nothing here). */
  JsonObject extrasAsJson() {
    JsonObject o = new JsonObject();
    extras.forEach((k, v) -> o.add(k, JsonParser.parseString(v)));
    return o;
  }

  private static void checkFinite(List<Double> scores, String name) {
    for (int i = 0; i < scores.size(); i++) {
      double s = scores.get(i);
      checkArgument(Double.isFinite(s), "%s[%s] must be finite, got %s", name, i, s);
    }
  }

  /** Mutable builder for {@link TrainingExample}; not thread-safe. */
  public static final class Builder {
    private String query;
    private final List<String> positives = new java.util.ArrayList<>();
    private final List<String> negatives = new java.util.ArrayList<>();
    private String task = DEFAULT_TASK;
    private String instruction;
    private final List<Double> posScores = new java.util.ArrayList<>();
    private final List<Double> negScores = new java.util.ArrayList<>();
    private final Map<String, String> extras = new LinkedHashMap<>();

    private Builder() {}

    /** Sets the query. */
    public Builder query(String query) {
      this.query = query;
      return this;
    }

    /** Appends a positive. */
    public Builder positive(String positive) {
      positives.add(positive);
      return this;
    }

    /** Replaces the positives. */
    public Builder positives(List<String> newPositives) {
      positives.clear();
      positives.addAll(newPositives);
      return this;
    }

    /** Appends a negative. */
    public Builder negative(String negative) {
      negatives.add(negative);
      return this;
    }

    /** Replaces the negatives. */
    public Builder negatives(List<String> newNegatives) {
      negatives.clear();
      negatives.addAll(newNegatives);
      return this;
    }

    /** Sets the task (dataset) name. */
    public Builder task(String task) {
      this.task = task;
      return this;
    }

    /** Sets the instruction, or null for none. */
    public Builder instruction(@Nullable String instruction) {
      this.instruction = instruction;
      return this;
    }

    /** Replaces the positive scores. */
    public Builder posScores(List<Double> scores) {
      posScores.clear();
      posScores.addAll(scores);
      return this;
    }

    /** Replaces the negative scores. */
    public Builder negScores(List<Double> scores) {
      negScores.clear();
      negScores.addAll(scores);
      return this;
    }

    /**
     * Adds or replaces one extra field, given as JSON text ({@code "7"}, {@code "\"text\""}, {@code "{\"x\": 1}"})
     * and stored compact ({@code {"x":1}}).
     *
     * @throws IllegalArgumentException when {@code json} is not JSON
     */
    public Builder extra(String name, String json) {
      JsonElement value;
      try {
        value = JsonParser.parseString(checkNotNull(json, "json"));
      } catch (JsonParseException bad) {
        throw new IllegalArgumentException("extra '" + name + "' is not valid JSON: " + json, bad);
      }
      extras.put(checkNotNull(name, "name"), value.toString());
      return this;
    }

    /** Removes every extra field. */
    public Builder clearExtras() {
      extras.clear();
      return this;
    }

    /**
     * Builds the example.
     *
     * @throws IllegalArgumentException or NullPointerException as the record constructor
     */
    public TrainingExample build() {
      return new TrainingExample(query, ImmutableList.copyOf(positives), ImmutableList.copyOf(negatives), task,
          instruction, ImmutableList.copyOf(posScores), ImmutableList.copyOf(negScores), ImmutableMap.copyOf(extras));
    }
  }
}
