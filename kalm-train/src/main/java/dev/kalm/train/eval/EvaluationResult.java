package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Map;

/**
 * The outcome of one evaluation. Immutable; maps keep insertion order (the order the evaluator reports).
 *
 * <p>Score names follow MTEB's result files ({@code ndcg_at_10}, {@code map}, {@code cosine_spearman},
 * ...). A score may be {@code NaN} where the metric is undefined (e.g. a correlation with a constant
 * similarity); JSON writes it as {@code null}.
 *
 * @param task the kind of evaluation
 * @param data the data file or folder evaluated, as given
 * @param split the split evaluated (e.g. {@code test})
 * @param mainScoreName the key in {@code scores} of the headline metric
 * @param scores every metric, ordered
 * @param subsets per language (or other subset) the same metrics, ordered; empty when the data has none
 * @param counts sizes and skips, e.g. {@code queries}, {@code skipped_queries}, {@code documents}
 * @param evaluationSeconds wall-clock seconds of {@link Evaluator#evaluate}, embedding included
 */
public record EvaluationResult(
    EvaluationTask task,
    String data,
    String split,
    String mainScoreName,
    ImmutableMap<String, Double> scores,
    ImmutableMap<String, ImmutableMap<String, Double>> subsets,
    ImmutableMap<String, Long> counts,
    double evaluationSeconds) {

  /** @throws IllegalArgumentException when {@code mainScoreName} is not a key of {@code scores} or the time is negative */
  public EvaluationResult {
    checkNotNull(task, "task");
    checkNotNull(data, "data");
    checkNotNull(split, "split");
    checkNotNull(mainScoreName, "mainScoreName");
    scores = ImmutableMap.copyOf(scores);
    subsets = ImmutableMap.copyOf(subsets);
    counts = ImmutableMap.copyOf(counts);
    checkArgument(scores.containsKey(mainScoreName), "mainScoreName %s is not among the scores %s",
        mainScoreName, scores.keySet());
    checkArgument(evaluationSeconds >= 0, "evaluationSeconds must be >= 0, got %s", evaluationSeconds);
  }

  /** The value of the headline metric, {@code scores().get(mainScoreName())}. */
  public double mainScore() {
    return scores.get(mainScoreName);
  }

  /**
   * The result as pretty-printed JSON: {@code task, data, split, main_score_name, main_score, scores,
   * subsets} (when not empty){@code , counts, evaluation_seconds}. For a complete result file with model
   * and versions use {@link ResultFile}.
   */
  public String toJson() {
    return new GsonBuilder().serializeNulls().setPrettyPrinting().disableHtmlEscaping().create().toJson(toJsonObject());
  }

  JsonObject toJsonObject() {
    JsonObject o = new JsonObject();
    o.addProperty("task", task.cliName());
    o.addProperty("data", data);
    o.addProperty("split", split);
    addResultFields(o);
    return o;
  }

  /** Adds main score, scores, subsets, counts and time to {@code o}. */
  void addResultFields(JsonObject o) {
    o.addProperty("main_score_name", mainScoreName);
    o.add("main_score", number(mainScore()));
    o.add("scores", scoreObject(scores));
    if (!subsets.isEmpty()) {
      JsonObject s = new JsonObject();
      subsets.forEach((name, values) -> s.add(name, scoreObject(values)));
      o.add("subsets", s);
    }
    JsonObject c = new JsonObject();
    counts.forEach(c::addProperty);
    o.add("counts", c);
    o.addProperty("evaluation_seconds", evaluationSeconds);
  }

  private static JsonObject scoreObject(Map<String, Double> values) {
    JsonObject o = new JsonObject();
    values.forEach((k, v) -> o.add(k, number(v)));
    return o;
  }

  private static com.google.gson.JsonElement number(double v) {
    return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
  }
}
