package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import dev.kalm.core.Versions;
import dev.kalm.core.io.AtomicFiles;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The result file of an evaluation: the {@link EvaluationResult} plus what produced it (model folder,
 * embedder settings, versions), as one JSON object:
 *
 * <pre>{@code
 * {"task": "retrieval", "data": "...", "split": "test", "model": "...", "embedder": {...},
 *  "main_score_name": "ndcg_at_10", "main_score": 0.51, "scores": {...}, "subsets": {...},
 *  "counts": {...}, "evaluation_seconds": 12.3, "versions": {"kalm": ..., "java": ..., "djl": ...}}
 * }</pre>
 *
 * Stateless and thread-safe.
 */
public final class ResultFile {
  private ResultFile() {}

  /**
   * The result file's JSON text (pretty-printed).
   *
   * @param model the model folder evaluated, or null when there is none (e.g. a test embedder)
   * @param embedder a description of the embedder's settings; numbers and booleans stay JSON numbers and
   *     booleans, nulls are left out, anything else is written with {@code toString()}
   */
  public static String json(EvaluationResult result, @Nullable String model, Map<String, ?> embedder) {
    checkNotNull(result, "result");
    checkNotNull(embedder, "embedder");
    JsonObject o = new JsonObject();
    o.addProperty("task", result.task().cliName());
    o.addProperty("data", result.data());
    o.addProperty("split", result.split());
    if (model != null) {
      o.addProperty("model", model);
    }
    JsonObject e = new JsonObject();
    embedder.forEach((key, value) -> {
      if (value instanceof Number n) {
        e.addProperty(key, n);
      } else if (value instanceof Boolean b) {
        e.addProperty(key, b);
      } else if (value != null) {
        e.addProperty(key, value.toString());
      }
    });
    o.add("embedder", e);
    result.addResultFields(o);
    JsonObject v = new JsonObject();
    versions().forEach(v::addProperty);
    o.add("versions", v);
    return new GsonBuilder().serializeNulls().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
  }

  /**
   * Writes {@link #json} to {@code file} atomically: a temporary file in the same folder, then a move, so
   * a reader never sees half a file. Creates the parent folder.
   *
   * @throws UncheckedIOException naming the file when it cannot be written
   */
  public static void write(Path file, EvaluationResult result, @Nullable String model, Map<String, ?> embedder) {
    AtomicFiles.writeString(file, json(result, model, embedder));
  }

  /** Versions recorded in result files: kalm, Java, DJL and PyTorch ({@link Versions#all()}). */
  public static ImmutableMap<String, String> versions() {
    return ImmutableMap.copyOf(Versions.all());
  }
}
