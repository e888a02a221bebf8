package dev.kalm.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.List;
import dev.kalm.core.report.Report;
import org.junit.jupiter.api.Test;

/** The mining options shared by kalm mine and the Spark mine job: checks, config, report parts. */
class MiningSpecTest {
  private static MiningSpec spec(String range, String existing, String pool, String kernel) {
    return new MiningSpec(8, range, 3, existing, pool, kernel, "Find answers.", 5, true, false, true, true);
  }

  @Test
  void plainValuesBecomeTheConfig() {
    MiningConfig config = spec(" 3 - 15", "replace", "shared", "java").configBuilder().build();
    assertEquals(8, config.filterTopK());
    assertEquals(3, config.rangeMin());
    assertEquals(15, config.rangeMax());
    assertEquals(3, config.negatives());
    assertEquals(ExistingNegatives.REPLACE, config.existingNegatives());
    assertTrue(config.queryPrompt().prefix().contains("Find answers."));
    assertEquals(5, config.seed());
    assertTrue(config.filter());
    assertFalse(config.mine());
    assertTrue(config.recordScores());
    assertEquals(PoolScope.SHARED, spec("3-15", "replace", "shared", "java").poolScope());
    assertTrue(spec("3-15", "replace", "shared", "java").deterministicSearch());
    assertFalse(spec("3-15", "replace", "shared", "matmul").deterministicSearch());
  }

  @Test
  void badValuesAreNamedWithTheOption() {
    assertEquals("--range must be MIN-MAX, e.g. 50-100; got '50'",
        assertThrows(IllegalArgumentException.class, () -> spec("50", "keep-first", "per-file", "java").configBuilder())
            .getMessage());
    assertEquals("--pool must be one of per-file, shared; got 'all'",
        assertThrows(IllegalArgumentException.class, () -> spec("3-15", "keep-first", "all", "java").configBuilder())
            .getMessage());
    assertEquals("--search-kernel must be one of java, matmul; got 'gpu'",
        assertThrows(IllegalArgumentException.class, () -> spec("3-15", "keep-first", "per-file", "gpu").configBuilder())
            .getMessage());
    assertEquals("--existing-negatives must be one of keep-first, replace; got 'drop'",
        assertThrows(IllegalArgumentException.class, () -> spec("3-15", "drop", "per-file", "java").configBuilder())
            .getMessage());
  }

  @Test
  void reportPartsComeFromTheMiningStep() {
    MiningSpec spec = spec("3-15", "keep-first", "per-file", "java");
    Report config = spec.configReport("teacher", null, spec.configBuilder().build());
    assertEquals("teacher", config.fields().get("model"));
    assertEquals(15L, config.fields().get("range_max"));
    assertEquals("per-file", config.fields().get("pool"));
    assertFalse(config.fields().containsKey("corpus")); // null: left out
    assertEquals(true, config.fields().get("dedup"));

    FilterReport mining = new FilterReport("ranking-consistency", 4, 3, ImmutableMap.of(),
        ImmutableMap.of("embed_seconds", 1.5, "search_seconds", 0.25), ImmutableList.of());
    FilterReport chain = new FilterReport("chain", 4, 3, ImmutableMap.of(), ImmutableMap.of(),
        ImmutableList.of(new FilterReport("dedup", 4, 4, ImmutableMap.of(), ImmutableMap.of("embed_seconds", 9.0),
            ImmutableList.of()), mining));
    Report report = MiningSpec.report(Report.builder().add("path", "in").build(), chain, "out", 3, 2.0, config);
    assertEquals(List.of("input", "filters", "output", "timing", "config"), List.copyOf(report.fields().keySet()));
    Report timing = (Report) report.fields().get("timing");
    assertEquals(2.0, timing.fields().get("total_seconds"));
    assertEquals(1.5, timing.fields().get("embed_seconds"));
    assertEquals(0.0, timing.fields().get("search_scores_per_second"));
    assertFalse(timing.fields().containsKey("embed_tokens"), "not counted here (the Spark miner): left out, not 0");
    assertEquals(Report.builder().add("path", "out").add("examples", 3).build(), report.fields().get("output"));
    assertEquals(chain.toReport(), report.fields().get("filters"));
    assertEquals("embedding 1.5 s, search 0.3 s (0.00 scores/s), total 2.0 s" + System.lineSeparator(),
        MiningSpec.timingLine(chain, 2.0));

    FilterReport counted = new FilterReport("ranking-consistency", 4, 3, ImmutableMap.of(),
        ImmutableMap.of("embed_seconds", 2.0, "embed_tokens", 1000.0, "embed_tokens_per_second", 500.0,
            "search_seconds", 0.25), ImmutableList.of());
    Report countedTiming = (Report) MiningSpec.report(Report.builder().build(), counted, "out", 3, 3.0, config)
        .fields().get("timing");
    assertEquals(1000L, countedTiming.fields().get("embed_tokens"), "a count, written as a whole number");
    assertEquals(500.0, countedTiming.fields().get("embed_tokens_per_second"));
    assertEquals("embedding 2.0 s (1000 tokens, 500.0 tokens/s), search 0.3 s (0.00 scores/s), total 3.0 s"
        + System.lineSeparator(), MiningSpec.timingLine(counted, 3.0));
  }
}
