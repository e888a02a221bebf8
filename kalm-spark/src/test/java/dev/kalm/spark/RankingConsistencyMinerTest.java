package dev.kalm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.embed.Prompt;
import dev.kalm.core.testing.TestModels;
import dev.kalm.data.example.ExampleJson;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.filter.DataFilter;
import dev.kalm.data.filter.DataFilters;
import dev.kalm.data.filter.FilterReport;
import dev.kalm.data.filter.FilterTally;
import dev.kalm.data.filter.MiningConfig;
import dev.kalm.data.search.SearchConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class RankingConsistencyMinerTest {
  private static final int MAX_LENGTH = 48;

  /** Examples with repeated documents, duplicate examples, instructions and own negatives. */
  static List<TrainingExample> examples(int n, long seed) {
    String[] words = {"copy", "files", "list", "directory", "network", "socket", "kernel", "print", "sort", "lines",
        "mount", "disk", "owner", "process", "signal", "archive", "compress", "search", "pattern", "date", "user",
        "group", "memory", "swap", "editor", "shell", "terminal", "pipe", "stream", "device"};
    Random random = new Random(seed);
    List<TrainingExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i > 10 && i % 37 == 0) {
        out.add(out.get(random.nextInt(out.size()))); // an exact duplicate
        continue;
      }
      TrainingExample.Builder b = TrainingExample.builder().query(phrase(random, words, 3) + " how")
          .positive(phrase(random, words, 6)).task(i % 3 == 0 ? "man" : "faq");
      if (i % 4 == 0) {
        b.positive(phrase(random, words, 5));
      }
      if (i % 5 == 0) {
        b.negative(phrase(random, words, 4)); // (a blank negative is an input error now: ExampleJson rejects it)
      }
      if (i % 11 == 0) {
        String twice = phrase(random, words, 2);
        b.positive(twice).positive(twice).negative(twice.toUpperCase()); // repeated inside the example
      }
      if (i % 7 == 0) {
        b.instruction("Given a question, retrieve manual pages");
      }
      out.add(b.build());
    }
    return out;
  }

  private static String phrase(Random random, String[] words, int length) {
    StringBuilder sb = new StringBuilder();
    for (int w = 0; w < length; w++) {
      sb.append(w == 0 ? "" : " ").append(words[random.nextInt(words.length)]);
    }
    return sb.toString();
  }

  /** What {@code kalm mine} runs: document dedup, example dedup, then the filter, in one chain. */
  static Single single(List<TrainingExample> input, MiningConfig config, int batchTokens) {
    EmbedderConfig embedder = EmbedderConfig.builder().maxLength(MAX_LENGTH).batchTokens(batchTokens)
        .device(DeviceChoice.CPU).build();
    try (Embedder teacher = Embedders.load(TestModels.micro(), embedder)) {
      DataFilter chain = DataFilters.chain(DataFilters.dedupDocuments(), DataFilters.dedupExamples(),
          DataFilters.rankingConsistency(teacher, config.toBuilder().search(SearchConfig.deterministic()).build()));
      FilterTally tally = new FilterTally(chain.name());
      List<String> lines;
      try (Stream<TrainingExample> out = chain.apply(input.stream(), tally)) {
        lines = out.map(ExampleJson::toLine).toList();
      }
      return new Single(lines, tally.report());
    }
  }

  record Single(List<String> lines, FilterReport report) {}

  static RankingConsistencyMiner.Result spark(List<TrainingExample> input, MiningConfig config, int batchTokens,
      ExactTopK.Plan plan) {
    KalmEmbedder teacher = new KalmEmbedder().setModelPath(TestModels.micro().toString()).setMaxLength(MAX_LENGTH)
        .setBatchTokens(batchTokens).setDevice("cpu").setChunkSize(64);
    // Blocks smaller than the pools (about 100 documents, 60 queries), uneven: several blocks per side, a short last one.
    return RankingConsistencyMiner.create(teacher, config).withSearch(ExactTopK.builder().plan(plan).corpusBlock(29).queryBlock(17))
        .mine(RankingConsistencyMiner.examples(SparkTests.spark(), input).repartition(3));
  }

  static List<String> lines(RankingConsistencyMiner.Result result) {
    return result.kept().orderBy(RankingConsistencyMiner.ORDER).collectAsList().stream().map(r -> r.getString(1)).toList();
  }

  /** Counts of two reports equal, part by part (timings aside). */
  static void assertSameCounts(FilterReport expected, FilterReport actual) {
    assertEquals(expected.name(), actual.name());
    assertEquals(expected.in(), actual.in(), expected.name() + " in");
    assertEquals(expected.kept(), actual.kept(), expected.name() + " kept");
    assertEquals(expected.dropped(), actual.dropped(), expected.name() + " dropped");
    for (String metric : List.of("pool_size", "queries", "embedded_texts", "negatives_existing", "negatives_mined",
        "negatives_padded", "examples_short_of_negatives", "positives_removed", "negatives_removed")) {
      assertEquals(expected.metrics().get(metric), actual.metrics().get(metric), expected.name() + " " + metric);
    }
    assertEquals(expected.parts().size(), actual.parts().size());
    for (int i = 0; i < expected.parts().size(); i++) {
      assertSameCounts(expected.parts().get(i), actual.parts().get(i));
    }
  }

  @Test
  void sameKeptSetNegativesAndReportAsKalmMine() {
    List<TrainingExample> input = examples(64, 3);
    MiningConfig config = MiningConfig.builder().filterTopK(12).range(4, 24).negatives(4)
        .queryPrompt(Prompt.instruction("Given a query, retrieve documents")).seed(7).build();
    Single expected = single(input, config, 1);
    for (ExactTopK.Plan plan : List.of(ExactTopK.Plan.BLOCKS)) { // AUTO (broadcast) in the next test
      RankingConsistencyMiner.Result result = spark(input, config, 1, plan);
      List<String> got = lines(result);
      System.out.printf("spark miner (%s) vs kalm mine: %d of %d examples kept on both, %d identical lines; %s%n", plan,
          got.size(), input.size(), countSame(expected.lines(), got), result.report().summary().replace('\n', ' '));
      assertEquals(expected.lines(), got, plan.name());
      assertSameCounts(expected.report(), result.report());
      assertTrue(result.report().dropped().get(DataFilters.INCONSISTENT_RANKING) > 0, "the filter must drop some");
      assertTrue(result.report().parts().get(2).metrics().get("negatives_mined") > 0, "negatives must be mined");
    }
  }

  @Test
  void recordedScoresAndFilterOnlyAgreeToo() {
    List<TrainingExample> input = examples(40, 4);
    MiningConfig config = MiningConfig.builder().filterTopK(6).range(3, 15).negatives(3).recordScores(true).seed(1).build();
    Single expected = single(input, config, 1);
    RankingConsistencyMiner.Result result = spark(input, config, 1, ExactTopK.Plan.AUTO);
    assertEquals(expected.lines(), lines(result));
    assertSameCounts(expected.report(), result.report());

    MiningConfig filterOnly = config.toBuilder().mine(false).recordScores(false).build();
    Single expectedFilter = single(input, filterOnly, 1);
    RankingConsistencyMiner.Result filtered = spark(input, filterOnly, 1, ExactTopK.Plan.AUTO);
    assertEquals(expectedFilter.lines(), lines(filtered));
    assertSameCounts(expectedFilter.report(), filtered.report());
  }

  static int countSame(List<String> a, List<String> b) {
    java.util.Set<String> set = new java.util.HashSet<>(a);
    return (int) b.stream().filter(set::contains).count();
  }
}
