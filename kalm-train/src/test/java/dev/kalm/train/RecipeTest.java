package dev.kalm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.embed.Pooling;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TrainerConfig.Recipe#KALM}: KaLM's script values, Matryoshka dims clipped to the model width. */
class RecipeTest {
  @Test
  void kalmRecipeValuesAndMatryoshkaClipping() {
    TrainerConfig c = TrainerConfig.Recipe.KALM.builder(896).build();
    assertEquals(0.01, c.temperature());
    assertEquals(7, c.hardNegatives());
    assertEquals(List.of(896, 512, 256, 128, 64), c.matryoshkaDims());
    assertEquals(List.of(1.0, 0.3, 0.2, 0.1, 0.1), c.matryoshkaWeights());
    assertEquals(48, c.batchSize());
    assertEquals(Pooling.MEAN, c.pooling());
    assertEquals(512, c.maxLength());
    assertEquals(1e-5, c.learningRate());
    assertEquals(0.1, c.warmupRatio());
    TrainerConfig narrow = TrainerConfig.Recipe.KALM.builder(256).build();
    assertEquals(List.of(256, 128, 64), narrow.matryoshkaDims());
    assertEquals(List.of(1.0, 0.1, 0.1), narrow.matryoshkaWeights());
    TrainerConfig wide = TrainerConfig.Recipe.KALM.builder(1024).build();
    assertEquals(List.of(896, 512, 256, 128, 64), wide.matryoshkaDims());
    assertEquals(8, TrainerConfig.Recipe.KALM.settings().size());
    assertTrue(TrainerConfig.Recipe.KALM.settings().stream().allMatch(s -> s.contains("(") && s.contains("=")));
  }
}
