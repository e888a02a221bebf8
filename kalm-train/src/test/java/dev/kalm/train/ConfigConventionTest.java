package dev.kalm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.data.filter.MiningConfig;
import dev.kalm.data.sampler.SamplerConfig;
import dev.kalm.data.search.SearchConfig;
import dev.kalm.data.synth.SynthConfig;
import dev.kalm.data.synth.llm.LlmConfig;
import dev.kalm.train.eval.EvaluationConfig;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** Every config follows one convention: {@code X.builder()...build()}, {@code toBuilder()}, {@code X.defaults()}. */
class ConfigConventionTest {
  @Test
  void defaultsAreTheBuildersDefaultsAndToBuilderRoundTrips() {
    assertConvention(EmbedderConfig.defaults(), EmbedderConfig.builder().build(),
        EmbedderConfig.defaults().toBuilder().build());
    assertConvention(MiningConfig.defaults(), MiningConfig.builder().build(),
        MiningConfig.defaults().toBuilder().build());
    assertConvention(EvaluationConfig.defaults(), EvaluationConfig.builder().build(),
        EvaluationConfig.defaults().toBuilder().build());
    assertConvention(SynthConfig.defaults(), SynthConfig.builder().build(), SynthConfig.defaults().toBuilder().build());
    assertConvention(SamplerConfig.defaults(), SamplerConfig.builder().build(),
        SamplerConfig.defaults().toBuilder().build());
    assertConvention(SearchConfig.defaults(), SearchConfig.builder().build(),
        SearchConfig.defaults().toBuilder().build());
    assertEquals(SearchConfig.deterministic(), SearchConfig.deterministic().toBuilder().build());
    TrainerConfig trainer = TrainerConfig.defaults();
    assertEquals(trainer, trainer.toBuilder().build());
    assertEquals(Provenance.API, trainer.createdBy());
  }

  /** {@code X.defaults()} equals {@code X.builder().build()} and survives {@code toBuilder().build()}. */
  private static void assertConvention(Object defaults, Object built, Object rebuilt) {
    assertEquals(built, defaults);
    assertEquals(defaults, rebuilt);
  }

  @Test
  void toBuilderKeepsChangedValues() {
    SynthConfig synth = SynthConfig.builder().seed(7).temperature(0.3).language("German").build();
    assertEquals(synth, synth.toBuilder().build());
    assertNotEquals(synth, synth.toBuilder().seed(8).build());
    SamplerConfig sampler = SamplerConfig.builder().batchSize(48).homogeneousRatio(0.8).dropLast(true).build();
    assertEquals(sampler, sampler.toBuilder().build());
    SearchConfig search = SearchConfig.builder().kernel(SearchConfig.Kernel.JAVA).queryBlock(8).docBlock(16).build();
    assertEquals(search, search.toBuilder().build());
    assertNotEquals(search, search.toBuilder().docBlock(32).build());
    TrainerConfig trainer = TrainerConfig.builder().createdBy(Provenance.CLI).seed(3).build();
    assertEquals(trainer, trainer.toBuilder().build());
    assertEquals(Provenance.CLI, trainer.toBuilder().build().createdBy());
  }

  @Test
  void searchConfigValidatesItsBlocks() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SearchConfig.builder().queryBlock(0).build());
    assertEquals("queryBlock must be >= 1, got 0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SearchConfig.defaults().toBuilder().docBlock(-1).build());
  }

  @Test
  void llmConfigNeedsEndpointAndModel() {
    LlmConfig llm = LlmConfig.builder().endpoint(URI.create("http://127.0.0.1:8000/v1")).model("m").apiKey("k")
        .maxRetries(2).build();
    assertEquals(llm, llm.toBuilder().build());
    NullPointerException noModel = assertThrows(NullPointerException.class,
        () -> LlmConfig.builder().endpoint(URI.create("http://127.0.0.1:8000/v1")).build());
    assertEquals("model must be set", noModel.getMessage());
    assertThrows(NullPointerException.class, () -> LlmConfig.builder().model("m").build());
  }
}
