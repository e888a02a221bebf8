package dev.kalm.train;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.JsonObject;
import dev.kalm.core.internal.json.StrictJson;
import dev.kalm.core.progress.ResidentMemory;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A {@link TrainingListener} that writes a JSON Lines log: after each step one object with {@code step},
 * {@code epoch}, {@code loss}, {@code lr}, {@code grad_norm}, {@code tokens_per_s}, {@code seconds} and
 * {@code resident_mib} ({@link ResidentMemory#mib()}); after each evaluation {@code {"step", "eval_main_score"}}.
 * Each line is flushed when written, so a stopped run keeps its log up to the last step. The file is replaced when
 * the log is opened. Close it after training; called on the training thread only (not thread-safe).
 *
 * <pre>{@code
 * try (TrainingLog log = TrainingLog.open(Path.of("train-log.jsonl"))) {
 *   trainer.train(examples, Path.of("tuned"), log);
 * }
 * }</pre>
 */
public final class TrainingLog implements TrainingListener, AutoCloseable {
  private final Path file;
  private final BufferedWriter writer;

  private TrainingLog(Path file, BufferedWriter writer) {
    this.file = file;
    this.writer = writer;
  }

  /**
   * Creates (or empties) {@code file} and its parent folders.
   *
   * @throws UncheckedIOException naming the file when it cannot be created
   */
  public static TrainingLog open(Path file) {
    checkNotNull(file, "file");
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      return new TrainingLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write log " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void onStep(StepReport r) {
    JsonObject line = new JsonObject();
    line.addProperty("step", r.step());
    line.addProperty("epoch", r.epoch());
    line.addProperty("loss", r.loss());
    line.addProperty("lr", r.learningRate());
    line.addProperty("grad_norm", r.gradNorm());
    line.addProperty("tokens_per_s", r.tokensPerSecond());
    line.addProperty("seconds", r.seconds());
    line.addProperty("resident_mib", ResidentMemory.mib());
    write(line);
  }

  @Override
  public void onEvaluation(long step, String name, double mainScore) {
    JsonObject line = new JsonObject();
    line.addProperty("step", step);
    line.addProperty("eval_main_score", mainScore);
    write(line);
  }

  /** Writes one line; a non-finite number (a diverged loss, say) is written as null: NaN is not JSON. */
  private void write(JsonObject line) {
    StrictJson.nullForNonFinite(line);
    try {
      writer.write(line + "\n");
      writer.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write log " + file + ": " + e.getMessage(), e);
    }
  }

  /** Closes the file. @throws UncheckedIOException naming the file when closing fails */
  @Override
  public void close() {
    try {
      writer.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write log " + file + ": " + e.getMessage(), e);
    }
  }
}
