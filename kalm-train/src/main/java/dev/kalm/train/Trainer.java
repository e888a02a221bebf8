package dev.kalm.train;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
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
 * <pre>{@code
 * TrainerConfig config = TrainerConfig.builder().learningRate(2e-5).batchSize(32).steps(1000).build();
 * try (Trainer trainer = Trainers.contrastive(Path.of("base-model"), config)) {
 *   trainer.train(examples, Path.of("tuned-model"), TrainingListener.NONE);
 * }
 * }</pre>
 */
public interface Trainer extends AutoCloseable {
  /**
   * Trains on {@code examples} and writes the final model (Hugging Face + sentence-transformers layout, with
   * trainer state and provenance) to {@code output}; periodic checkpoints go to
   * {@code output/checkpoint-<step>}. Nothing partial is left when it fails.
   *
   * @throws IllegalArgumentException when the examples do not suit the config (e.g. fewer than a batch)
   */
  TrainingResult train(List<TrainingExample> examples, Path output, TrainingListener listener);

  /**
   * An embedder over the model as it is now (shares its weights; valid until the trainer closes). Settings left
   * unset in {@code config} take the trainer's: pooling, attention, and max length (when 0).
   */
  Embedder embedder(EmbedderConfig config);

  @Override
  void close();
}
