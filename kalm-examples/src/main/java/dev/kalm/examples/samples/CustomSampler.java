package dev.kalm.examples.samples;

import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.sampler.SamplerConfig;
import dev.kalm.examples.samplers.LengthBucketSampler;
import dev.kalm.train.Trainer;
import dev.kalm.train.TrainerConfig;
import dev.kalm.train.Trainers;
import dev.kalm.train.TrainingListener;
import dev.kalm.train.TrainingResult;
import java.nio.file.Path;
import java.util.List;

/**
 * Sample: plug your own {@link dev.kalm.data.sampler.BatchSampler} into training. {@link LengthBucketSampler}
 * groups examples of similar length (less padding); any class implementing the interface and passing
 * {@code BatchSamplerContract} (kalm-data's test-jar) works the same way.
 */
public final class CustomSampler {
  private CustomSampler() {}

  /** Trains with batches of similar-length examples. */
  public static TrainingResult train(Path model, List<TrainingExample> examples, Path output, long steps) {
    TrainerConfig config = TrainerConfig.builder()
        .sampler(new LengthBucketSampler(SamplerConfig.builder().batchSize(8).build(), 4))
        .steps(steps).learningRate(1e-4).maxLength(128).build();
    try (Trainer trainer = Trainers.contrastive(model, config)) {
      return trainer.train(examples, output, TrainingListener.NONE);
    }
  }
}
