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
    assertEquals(EmbedderConfig.builder().build(), EmbedderConfig.defaults());
    assertEquals(EmbedderConfig.defaults(), EmbedderConfig.defaults().toBuilder().build());
    assertEquals(MiningConfig.builder().build(), MiningConfig.defaults());
    assertEquals(MiningConfig.defaults(), MiningConfig.defaults().toBuilder().build());
    assertEquals(EvaluationConfig.builder().build(), EvaluationConfig.defaults());
    assertEquals(EvaluationConfig.defaults(), EvaluationConfig.defaults().toBuilder().build());
    assertEquals(SynthConfig.builder().build(), SynthConfig.defaults());
    assertEquals(SynthConfig.defaults(), SynthConfig.defaults().toBuilder().build());
    assertEquals(SamplerConfig.builder().build(), SamplerConfig.defaults());
    assertEquals(SamplerConfig.defaults(), SamplerConfig.defaults().toBuilder().build());
    assertEquals(SearchConfig.builder().build(), SearchConfig.defaults());
    assertEquals(SearchConfig.defaults(), SearchConfig.defaults().toBuilder().build());
    assertEquals(SearchConfig.deterministic(), SearchConfig.deterministic().toBuilder().build());
    TrainerConfig trainer = TrainerConfig.defaults();
    assertEquals(trainer, trainer.toBuilder().build());
    assertEquals(Provenance.API, trainer.createdBy());
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
