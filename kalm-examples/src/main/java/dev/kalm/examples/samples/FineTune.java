package dev.kalm.examples.samples;

import dev.kalm.data.example.ExampleReader;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.train.StepReport;
import dev.kalm.train.Trainer;
import dev.kalm.train.TrainerConfig;
import dev.kalm.train.Trainers;
import dev.kalm.train.TrainingListener;
import dev.kalm.train.TrainingResult;
import java.nio.file.Path;
import java.util.List;

/**
 * Sample: fine-tune a model on your own JSON Lines ({@code {"query": ..., "pos": [...], "neg": [...]}}).
 *
 * <pre>{@code java -cp ... dev.kalm.examples.samples.FineTune <model> <train.jsonl> <output folder>}</pre>
 */
public final class FineTune {
  private FineTune() {}

  public static void main(String[] args) {
    TrainingResult r = fineTune(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), 100);
    System.out.printf("loss %.3f -> %.3f, model in %s%n", r.firstLoss(), r.lastLoss(), r.output());
  }

  /** Trains for {@code steps} steps and writes the model to {@code output}. */
  public static TrainingResult fineTune(Path model, Path data, Path output, long steps) {
    List<TrainingExample> examples = ExampleReader.strict().readAll(data);
    TrainerConfig config = TrainerConfig.builder()
        .steps(steps).batchSize(8).learningRate(1e-4).warmupRatio(0.1)
        .hardNegatives(3).maxLength(256)
        .queryInstruction("Given a query, retrieve documents that answer the query.")
        .build();
    try (Trainer trainer = Trainers.contrastive(model, config)) {
      return trainer.train(examples, output, new TrainingListener() {
        @Override
        public void onStep(StepReport s) {
          if (s.step() % 10 == 0) {
            System.err.printf("step %d/%d loss %.4f%n", s.step(), s.totalSteps(), s.loss());
          }
        }
      });
    }
  }
}
