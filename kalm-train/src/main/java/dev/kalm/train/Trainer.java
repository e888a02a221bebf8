package dev.kalm.train;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.stop.StopSignal;
import dev.kalm.data.example.TrainingExample;
import java.nio.file.Path;
import java.util.List;

/**
 * Trains an embedding model on contrastive examples, in place. Create one with {@link Trainers}.
 *
 * <p>Determinism: with the same model, data, config and seed, on the same device, runs give the same
 * losses; a run resumed from a checkpoint continues with exactly the losses the uninterrupted run had.
 * Not thread-safe: one {@link #train} at a time. {@link #close()} frees the model.
 *
 * <p>Stopping: a run asked to stop through a {@link StopSignal} (or by interrupting its thread) finishes the
 * step in progress, writes a checkpoint ({@code output/checkpoint-<step>}) and returns a result with
 * {@link TrainingResult#stopped()} set and {@link TrainingResult#checkpoint()} naming that folder; resuming from
 * it ({@link Trainers#resume}) continues with exactly the losses of an uninterrupted run.
 * {@link StopSignal#stopNow()} instead ends the run between micro-batches with a
 * {@link dev.kalm.core.stop.StoppedException} and no new checkpoint. A stop never interrupts a native call.
 *
 * <pre>{@code
 * TrainerConfig config = TrainerConfig.builder().learningRate(2e-5).batchSize(32).steps(1000).build();
 * StopSignal stop = StopSignal.create();   // stop.stop() from any thread ends the run at the next step
 * try (Trainer trainer = Trainers.contrastive(Path.of("base-model"), config)) {
 *   TrainingResult r = trainer.train(examples, Path.of("tuned-model"), TrainingListener.NONE, stop);
 *   if (r.stopped()) {
 *     System.out.println("resume from " + r.checkpoint());
 *   }
 * }
 * }</pre>
 */
public interface Trainer extends AutoCloseable {
  /**
   * Trains on {@code examples} and writes the final model (Hugging Face + sentence-transformers layout, with
   * trainer state and provenance) to {@code output}; periodic checkpoints go to
   * {@code output/checkpoint-<step>}. Nothing partial is left when it fails. Stops early when the calling
   * thread's {@link StopSignal#current()} signal asks for it or the thread is interrupted (see above).
   *
   * @throws IllegalArgumentException when the examples do not suit the config (e.g. fewer than a batch)
   * @throws dev.kalm.core.stop.StoppedException after {@link StopSignal#stopNow()}
   */
  default TrainingResult train(List<TrainingExample> examples, Path output, TrainingListener listener) {
    return train(examples, output, listener, StopSignal.current());
  }

  /**
   * As {@link #train(List, Path, TrainingListener)}, stopping when {@code stop} asks for it (checked before
   * every step, and between micro-batches for {@link StopSignal#stopNow()}) or the thread is interrupted; the
   * interrupt flag is left set. {@code stop} is also bound to the thread during evaluations.
   *
   * @throws IllegalArgumentException when the examples do not suit the config (e.g. fewer than a batch)
   * @throws dev.kalm.core.stop.StoppedException after {@link StopSignal#stopNow()}
   */
  TrainingResult train(List<TrainingExample> examples, Path output, TrainingListener listener, StopSignal stop);

  /**
   * An embedder over the model as it is now (shares its weights; valid until the trainer closes). Settings left
   * unset in {@code config} take the trainer's: pooling, attention, and max length (when 0).
   */
  Embedder embedder(EmbedderConfig config);

  @Override
  void close();
}
