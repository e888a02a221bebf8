package dev.kalm.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.kalm.core.Versions;
import java.nio.file.Path;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Where a trained model came from: everything needed to tell two runs apart or to repeat one. Every model folder
 * a {@link Trainer} writes carries it as {@value #FILE}, and {@link TrainingResult#provenance()} returns the
 * final model's. Immutable.
 *
 * @param createdBy what made the model: {@link #API} when a program called the library, {@link #CLI} when the
 *     {@code kalm} command line did (set with {@link TrainerConfig.Builder#createdBy})
 * @param createdAt when the folder was written
 * @param baseModel the model folder training started from (absolute)
 * @param resumedFrom the checkpoint the run was resumed from (absolute), or null for a fresh run
 * @param step the optimizer steps the model has had (including those before a resume)
 * @param seed the run's seed ({@link TrainerConfig#seed()})
 * @param dataFingerprint {@code sha256:} over every example's texts and task, in order
 * @param examples the number of training examples
 * @param device the backend the run used, e.g. {@code cpu} or {@code gpu:0}
 * @param config the whole training configuration
 * @param versions kalm, Java, DJL and PyTorch versions ({@link Versions#all()})
 */
public record Provenance(
    String createdBy,
    Instant createdAt,
    Path baseModel,
    @Nullable Path resumedFrom,
    long step,
    long seed,
    String dataFingerprint,
    int examples,
    String device,
    TrainerConfig config,
    ImmutableMap<String, String> versions) {
  /** The file of a model folder that holds the provenance as JSON. */
  public static final String FILE = "kalm_provenance.json";
  /** {@link #createdBy()} of a model made through the library API: {@code "kalm API <version>"}. */
  public static final String API = "kalm API " + Versions.KALM;
  /** {@link #createdBy()} of a model made by the {@code kalm} command line: {@code "kalm CLI <version>"}. */
  public static final String CLI = "kalm CLI " + Versions.KALM;

  /** @throws IllegalArgumentException naming the bad value */
  public Provenance {
    checkNotNull(createdBy, "createdBy");
    checkArgument(!createdBy.isBlank(), "createdBy must not be blank");
    checkNotNull(createdAt, "createdAt");
    checkNotNull(baseModel, "baseModel");
    checkArgument(step >= 0, "step must be >= 0, got %s", step);
    checkNotNull(dataFingerprint, "dataFingerprint");
    checkArgument(examples >= 0, "examples must be >= 0, got %s", examples);
    checkNotNull(device, "device");
    checkNotNull(config, "config");
    versions = ImmutableMap.copyOf(versions);
  }

  /**
   * The {@value #FILE} content; a finite {@code evalScore} is added as {@code eval_main_score} (the score
   * that made a checkpoint the best).
   */
  JsonObject toJson(double evalScore) {
    JsonObject p = new JsonObject();
    p.addProperty("created_by", createdBy);
    p.addProperty("created_at", createdAt.toString());
    p.addProperty("base_model", baseModel.toString());
    if (resumedFrom != null) {
      p.addProperty("resumed_from", resumedFrom.toString());
    }
    p.addProperty("step", step);
    if (!Double.isNaN(evalScore)) {
      p.addProperty(ContrastiveTrainer.BEST_SCORE, evalScore);
    }
    p.addProperty("seed", seed);
    p.addProperty("data_fingerprint", dataFingerprint);
    p.addProperty("examples", examples);
    p.addProperty("device", device);
    p.add("config", config.toJson());
    p.add("versions", new Gson().toJsonTree(versions));
    return p;
  }
}
