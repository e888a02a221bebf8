package dev.kalm.core.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.testing.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

/** Properties of the Embedder contract on a small random model with the real tokenizer. */
class EmbedderPropertiesTest {
  // Shared by jqwik properties and JUnit tests (whose lifecycles differ); freed when the JVM exits.
  static final Embedder full =
      Embedders.load(TestModels.micro(), EmbedderConfig.builder().device(DeviceChoice.CPU).maxLength(64).build());
  static final Embedder raw = Embedders.load(TestModels.micro(), full.config().toBuilder().normalize(false).build());

  @Property(tries = 15)
  void embeddingDoesNotDependOnBatchComposition(
      @ForAll @Size(min = 1, max = 12) List<@StringLength(max = 80) String> texts,
      @ForAll @IntRange(min = 1, max = 200) int batchTokens, @ForAll long seed) {
    float[][] together = full.embed(texts);
    List<String> shuffled = new ArrayList<>(texts);
    Collections.shuffle(shuffled, new Random(seed));
    try (Embedder small = Embedders.load(TestModels.micro(),
        full.config().toBuilder().batchTokens(batchTokens).build())) {
      for (int i = 0; i < texts.size(); i++) {
        float[] alone = small.embed(List.of(texts.get(i)))[0];
        assertClose(alone, together[i], 1e-5, "text " + i + " alone vs in batch");
      }
      float[][] reordered = small.embed(shuffled);
      for (int i = 0; i < shuffled.size(); i++) {
        assertClose(reordered[i], together[texts.indexOf(shuffled.get(i))], 1e-5, "shuffled row " + i);
      }
    }
  }

  @Property(tries = 10)
  void matryoshkaPrefixIsTheNormalisedPrefixOfTheFullVector(
      @ForAll @StringLength(min = 1, max = 60) String text, @ForAll @IntRange(min = 1, max = 32) int dim) {
    float[] unnormalised = raw.embed(List.of(text))[0];
    try (Embedder truncated = Embedders.load(TestModels.micro(), full.config().toBuilder().dimension(dim).build())) {
      float[] got = truncated.embed(List.of(text))[0];
      assertEquals(dim, got.length);
      assertEquals(dim, truncated.dimension());
      float[] prefix = Arrays.copyOf(unnormalised, dim);
      double norm = 0;
      for (float v : prefix) {
        norm += v * v;
      }
      norm = Math.max(Math.sqrt(norm), 1e-12);
      for (int i = 0; i < dim; i++) {
        prefix[i] /= (float) norm;
      }
      assertClose(prefix, got, 1e-5, "prefix of " + dim);
    }
  }

  @Test
  void emptyTextGivesTheZeroVectorAndOthersHaveUnitNorm() {
    float[][] v = full.embed(List.of("", "hello"));
    for (float x : v[0]) {
      assertEquals(0f, x);
    }
    double norm = 0;
    for (float x : v[1]) {
      norm += x * x;
    }
    assertEquals(1.0, Math.sqrt(norm), 1e-5);
  }

  @Test
  void overLongTextsAreTruncatedToMaxLength() {
    String longText = "word ".repeat(500);
    String prefix = "word ".repeat(63) + "word";
    assertTrue(full.tokenCount(longText) > 64);
    assertClose(full.embed(List.of(longText))[0], full.embed(List.of(longText.substring(0, 400)))[0], 1e-6, "truncated");
    assertEquals(64, full.tokenCount(prefix), "prefix holds exactly max-length tokens");
  }

  @Test
  void promptsArePrependedAndTheInstructionTemplateIsKalms() {
    Prompt q = Prompt.instruction("Find docs");
    assertEquals("Instruct: Find docs \n Query: ls", q.apply("ls"));
    assertClose(full.embed(List.of("Instruct: Find docs \n Query: ls"))[0], full.embed(List.of("ls"), q)[0], 1e-6, "prompt");
  }

  @Test
  void nullElementIsRejectedWithItsIndex() {
    List<String> texts = Arrays.asList("a", null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> full.embed(texts));
    assertTrue(e.getMessage().contains("texts[1]"), e.getMessage());
  }

  @Test
  void closedEmbedderRefusesWork() {
    Embedder e = Embedders.load(TestModels.micro(), full.config());
    e.close();
    e.close();
    assertThrows(IllegalStateException.class, () -> e.embed(List.of("x")));
  }

  static void assertClose(float[] a, float[] b, double tolerance, String what) {
    assertEquals(a.length, b.length, what);
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], tolerance, what + " component " + i);
    }
  }
}
