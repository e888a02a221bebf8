package dev.kalm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An explicit warm-up, zero included, is honoured; only an unset one falls back to the ratio. */
class WarmupTest {
  @TempDir Path tmp;

  private List<Double> learningRates(TrainerConfig config) {
    List<Double> rates = new ArrayList<>();
    try (Trainer trainer = Trainers.contrastive(TestModels.micro(), config)) {
      trainer.train(ContrastiveTrainerTest.examples(16), tmp.resolve("out-" + rates.hashCode() + System.nanoTime()),
          new TrainingListener() {
            @Override
            public void onStep(StepReport r) {
              rates.add(r.learningRate());
            }
          });
    }
    return rates;
  }

  @Test
  void zeroWarmupStartsAtTheFullLearningRate() {
    TrainerConfig zero = ContrastiveTrainerTest.config().warmupSteps(0).steps(2).build();
    assertEquals(0, zero.warmupSteps());
    assertEquals(2e-3, learningRates(zero).get(0), 1e-12);
  }

  @Test
  void unsetWarmupUsesTheRatio() {
    TrainerConfig unset = ContrastiveTrainerTest.config().warmupRatio(0.5).steps(2).build();
    assertEquals(TrainerConfig.WARMUP_FROM_RATIO, unset.warmupSteps());
    assertEquals(TrainerConfig.WARMUP_FROM_RATIO, TrainerConfig.builder().build().warmupSteps());
    List<Double> rates = learningRates(unset);
    assertEquals(0.0, rates.get(0), 1e-12); // ceil(0.5 * 2) = 1 warm-up step starting from 0
    assertEquals(2e-3, rates.get(1), 1e-12);
  }

  @Test
  void negativeWarmupOtherThanUnsetIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainerConfig.builder().warmupSteps(-2).build());
    assertTrue(e.getMessage().contains("warmupSteps must be >= 0"), e.getMessage());
  }
}
