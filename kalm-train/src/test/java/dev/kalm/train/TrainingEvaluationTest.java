package dev.kalm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.data.beir.BeirDataset;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.example.TrainingExamples;
import dev.kalm.train.eval.EvaluationConfig;
import dev.kalm.train.eval.EvaluationHooks;
import dev.kalm.train.eval.Evaluators;
import dev.kalm.core.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer runs an evaluator when due and after the last step, and keeps the best model. */
class TrainingEvaluationTest {
  @TempDir Path tmp;

  @Test
  void evaluatesEveryNStepsAndKeepsTheBestCheckpoint() {
    List<TrainingExample> examples = ContrastiveTrainerTest.examples(24);
    BeirDataset beir = TrainingExamples.toRetrievalSet("train", examples);
    List<long[]> evaluatedAt = new ArrayList<>();
    Path out = tmp.resolve("out");
    TrainingResult result;
    try (Trainer trainer = Trainers.contrastive(TestModels.micro(), ContrastiveTrainerTest.config().steps(5).build(),
        EvaluationHooks.every(2, Evaluators.retrieval(beir, EvaluationConfig.builder().build())))) {
      result = trainer.train(examples, out, new TrainingListener() {
        @Override
        public void onEvaluation(long step, String name, double mainScore) {
          assertTrue(mainScore >= 0 && mainScore <= 1, name + " " + mainScore);
          evaluatedAt.add(new long[] {step});
        }
      });
    }
    assertEquals(List.of(2L, 4L, 5L), evaluatedAt.stream().map(a -> a[0]).toList());
    assertEquals(out.resolve("checkpoint-best"), result.bestCheckpoint());
    assertTrue(Files.isRegularFile(out.resolve("checkpoint-best/model.safetensors")));
    assertTrue(result.bestScore() > 0);
  }
}
