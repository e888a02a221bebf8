package dev.kalm.data.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingExampleTest {
  private final TrainingExample example = TrainingExample.builder()
      .query("list files").positive("ls lists files").negative("cp copies").task("man")
      .posScores(List.of(0.9)).negScores(List.of(0.2)).extra("id", "7").build();

  @Test
  void builderAndAccessors() {
    assertEquals("list files", example.query());
    assertEquals("ls lists files", example.firstPositive());
    assertEquals(List.of("cp copies"), example.negatives());
    assertEquals("7", example.extras().get("id"));
    assertEquals(7, example.extrasAsJson().get("id").getAsInt());
    assertNull(example.instruction());
    assertEquals(example, example.toBuilder().build());
  }

  @Test
  void withMethodsKeepScoresAligned() {
    TrainingExample changed = example.withNegatives(List.of("a", "b"));
    assertTrue(changed.negScores().isEmpty());
    assertEquals(List.of(0.9), changed.posScores());
    assertEquals("other", example.withTask("other").task());
    assertEquals("Retrieve", example.withInstruction("Retrieve").instruction());
    assertEquals("q2", example.withQuery("q2").query());
    assertTrue(example.withPositives(List.of("x", "y")).posScores().isEmpty());
  }

  @Test
  void validationNamesTheProblem() {
    IllegalArgumentException blank = assertThrows(IllegalArgumentException.class,
        () -> TrainingExample.builder().query(" ").positive("p").build());
    assertTrue(blank.getMessage().contains("query"), blank.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainingExample.builder().query("q").build());
    assertThrows(IllegalArgumentException.class, () -> TrainingExample.builder().query("q").positive("").build());
    IllegalArgumentException scores = assertThrows(IllegalArgumentException.class,
        () -> example.withScores(List.of(1.0, 2.0), List.of()));
    assertTrue(scores.getMessage().contains("posScores"), scores.getMessage());
    assertThrows(IllegalArgumentException.class, () -> example.withScores(List.of(Double.NaN), List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> TrainingExample.builder().query("q").positive("p").extra("neg", "1").build());
    assertThrows(IllegalArgumentException.class, () -> example.withTask(""));
  }

  @Test
  void normalisation() {
    assertEquals("list files", Texts.normalize("  Ｌｉｓｔ\n\t FILES\u00a0"));
    assertEquals(Texts.normalize("ﬁle"), Texts.normalize("FILE"));
  }

  @Test
  void extraTakesJsonTextAndStoresItCompact() {
    TrainingExample e = TrainingExample.builder().query("q").positive("p").extra("meta", "{\"x\": [1, \"<y>\"]}").build();
    assertEquals("{\"x\":[1,\"<y>\"]}", e.extras().get("meta"));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> TrainingExample.builder().extra("meta", "{oops"));
    assertEquals("extra 'meta' is not valid JSON: {oops", bad.getMessage());
  }
}
