package dev.kalm.data.synth;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What to synthesize and how. Immutable; build with {@link #builder()}.
 *
 * <p>The work plan is fixed by the personas, {@code personasLimit}, {@code seed}, {@code taskTypes},
 * {@code tasksPerPersona} and {@code examplesPerTask}: one stage-1 request per (persona, task type) and one
 * example per (persona, task type, instruction, example) key. Planned examples =
 * personas used x task types x tasksPerPersona x examplesPerTask.
 *
 * @param taskTypes the task types, at least one, no repeats
 * @param tasksPerPersona instructions kept per (persona, task type) from the stage-1 reply, in [1, 100]
 * @param examplesPerTask examples generated per instruction, at least 1
 * @param personasLimit the most personas used (a seeded sample), at least 1; {@link Integer#MAX_VALUE} = all
 * @param language the language of queries and documents, e.g. {@code English}, {@code Chinese}
 * @param bitextLanguage the language {@link TaskType#BITEXT} sources are translated into
 * @param seed fixes the persona sample, the per-example prompt variations and the request seeds
 * @param concurrency requests in flight at once (worker threads), in [1, 1024]
 * @param invalidRetries how many times an invalid reply (unparseable, missing fields, out of bounds,
 *     duplicate) is re-requested before the item is skipped, in [0, 100]
 * @param temperature sampling temperature in [0, 2]
 * @param maxTokens the most tokens per reply, at least 16
 * @param jsonMode ask the server for JSON object replies ({@code response_format})
 */
public record SynthConfig(
    ImmutableList<TaskType> taskTypes,
    int tasksPerPersona,
    int examplesPerTask,
    int personasLimit,
    String language,
    String bitextLanguage,
    long seed,
    int concurrency,
    int invalidRetries,
    double temperature,
    int maxTokens,
    boolean jsonMode) {

  public SynthConfig {
    taskTypes = ImmutableList.copyOf(taskTypes);
    checkArgument(!taskTypes.isEmpty(), "taskTypes must not be empty");
    checkArgument(taskTypes.stream().distinct().count() == taskTypes.size(), "taskTypes must not repeat, got %s",
        taskTypes);
    checkArgument(tasksPerPersona >= 1 && tasksPerPersona <= 100, "tasksPerPersona must be in [1, 100], got %s",
        tasksPerPersona);
    checkArgument(examplesPerTask >= 1, "examplesPerTask must be at least 1, got %s", examplesPerTask);
    checkArgument(personasLimit >= 1, "personasLimit must be at least 1, got %s", personasLimit);
    checkNotNull(language, "language");
    checkNotNull(bitextLanguage, "bitextLanguage");
    checkArgument(!language.isBlank(), "language must not be blank");
    checkArgument(!bitextLanguage.isBlank(), "bitextLanguage must not be blank");
    checkArgument(!taskTypes.contains(TaskType.BITEXT) || !language.strip().equalsIgnoreCase(bitextLanguage.strip()),
        "bitextLanguage must differ from language (%s) when bitext is generated", language);
    checkArgument(concurrency >= 1 && concurrency <= 1024, "concurrency must be in [1, 1024], got %s", concurrency);
    checkArgument(invalidRetries >= 0 && invalidRetries <= 100, "invalidRetries must be in [0, 100], got %s",
        invalidRetries);
    checkArgument(temperature >= 0 && temperature <= 2, "temperature must be in [0, 2], got %s", temperature);
    checkArgument(maxTokens >= 16, "maxTokens must be at least 16, got %s", maxTokens);
  }

  /**
   * A builder with defaults: all six task types, 5 tasks per persona, 2 examples per task, all personas,
   * English (bitext into Chinese), seed 42, concurrency 8, 3 re-requests of invalid replies, temperature
   * 0.8, 2048 max tokens, JSON mode on.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults of {@link #builder()}. */
  public static SynthConfig defaults() {
    return builder().build();
  }

  /** A builder holding this config's values, to change a few. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.taskTypes = taskTypes;
    b.tasksPerPersona = tasksPerPersona;
    b.examplesPerTask = examplesPerTask;
    b.personasLimit = personasLimit;
    b.language = language;
    b.bitextLanguage = bitextLanguage;
    b.seed = seed;
    b.concurrency = concurrency;
    b.invalidRetries = invalidRetries;
    b.temperature = temperature;
    b.maxTokens = maxTokens;
    b.jsonMode = jsonMode;
    return b;
  }

  /** The number of examples planned for {@code personasUsed} personas. */
  public long plannedExamples(int personasUsed) {
    return (long) personasUsed * taskTypes.size() * tasksPerPersona * examplesPerTask;
  }

  /** Builder for {@link SynthConfig}; not thread safe. {@link #build()} validates. */
  public static final class Builder {
    private ImmutableList<TaskType> taskTypes = ImmutableList.copyOf(TaskType.values());
    private int tasksPerPersona = 5;
    private int examplesPerTask = 2;
    private int personasLimit = Integer.MAX_VALUE;
    private String language = "English";
    private @Nullable String bitextLanguage;
    private long seed = 42;
    private int concurrency = 8;
    private int invalidRetries = 3;
    private double temperature = 0.8;
    private int maxTokens = 2048;
    private boolean jsonMode = true;

    private Builder() {}

    /** The task types (default all six). */
    public Builder taskTypes(List<TaskType> types) {
      this.taskTypes = ImmutableList.copyOf(types);
      return this;
    }

    /** Instructions kept per persona and task type (default 5). */
    public Builder tasksPerPersona(int n) {
      this.tasksPerPersona = n;
      return this;
    }

    /** Examples per instruction (default 2). */
    public Builder examplesPerTask(int n) {
      this.examplesPerTask = n;
      return this;
    }

    /** The most personas used (default all). */
    public Builder personasLimit(int n) {
      this.personasLimit = n;
      return this;
    }

    /** The data language (default English). */
    public Builder language(String lang) {
      this.language = lang;
      return this;
    }

    /** The bitext target language (default Chinese, or English when the data language is not English). */
    public Builder bitextLanguage(String lang) {
      this.bitextLanguage = lang;
      return this;
    }

    /** The seed (default 42). */
    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    /** Requests in flight at once (default 8). */
    public Builder concurrency(int n) {
      this.concurrency = n;
      return this;
    }

    /** Re-requests of an invalid reply before skipping (default 3). */
    public Builder invalidRetries(int n) {
      this.invalidRetries = n;
      return this;
    }

    /** Sampling temperature (default 0.8). */
    public Builder temperature(double t) {
      this.temperature = t;
      return this;
    }

    /** Max tokens per reply (default 2048). */
    public Builder maxTokens(int n) {
      this.maxTokens = n;
      return this;
    }

    /** Whether to ask for JSON object replies (default true). */
    public Builder jsonMode(boolean on) {
      this.jsonMode = on;
      return this;
    }

    /** The configuration. @throws IllegalArgumentException naming the bad field */
    public SynthConfig build() {
      checkNotNull(language, "language");
      String bitext = bitextLanguage != null ? bitextLanguage
          : language.strip().equalsIgnoreCase("English") ? "Chinese" : "English";
      return new SynthConfig(taskTypes, tasksPerPersona, examplesPerTask, personasLimit, language, bitext, seed,
          concurrency, invalidRetries, temperature, maxTokens, jsonMode);
    }
  }
}
