package dev.kalm.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.data.example.Texts;
import dev.kalm.data.example.TrainingExample;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CleaningFiltersTest {

  @Test
  void dedupExamplesOnNormalisedQueryAndFirstPositive() {
    List<TrainingExample> in = List.of(
        example("List files", "ls lists", "n"),
        example("  list   FILES ", "LS  lists", "other negative"),
        example("list files", "a different positive"),
        example("list files", "ls lists"));
    FilterResult result = DataFilters.dedupExamples().filter(in);
    assertEquals(List.of(in.get(0), in.get(2)), result.examples());
    assertEquals(4, result.report().in());
    assertEquals(2, result.report().kept());
    assertEquals(2L, result.report().dropped().get(DataFilters.DUPLICATE_EXAMPLE));
  }

  @Test
  void dedupDocumentsKeepsScoresAligned() {
    TrainingExample e = TrainingExample.builder().query("q").positives(List.of("P", "p ", "x"))
        .negatives(List.of("n1", "P", "N1", "n2", "X")).posScores(List.of(0.9, 0.8, 0.7))
        .negScores(List.of(0.1, 0.2, 0.3, 0.4, 0.5)).build();
    FilterResult result = DataFilters.dedupDocuments().filter(List.of(e));
    TrainingExample out = result.examples().get(0);
    assertEquals(List.of("P", "x"), out.positives());
    assertEquals(List.of(0.9, 0.7), out.posScores());
    assertEquals(List.of("n1", "n2"), out.negatives());
    assertEquals(List.of(0.1, 0.4), out.negScores());
    assertEquals(1.0, result.report().metrics().get("positives_removed"));
    assertEquals(3.0, result.report().metrics().get("negatives_removed"));
    assertEquals(1, result.report().kept());
  }

  @Test
  void tokenLengthBounds() {
    List<TrainingExample> in = List.of(
        example("two words", "three words here"),
        example("one", "ok ok"),
        example("a b c d e f", "ok ok"),
        example("fine query", "x"),
        example("fine query", "ok ok", "negatives are not checked at all here"));
    FilterResult result = DataFilters.tokenLength(t -> t.split(" ").length, 2, 5).filter(in);
    assertEquals(List.of(in.get(0), in.get(4)), result.examples());
    assertEquals(1L, result.report().dropped().get("query-too-short"));
    assertEquals(1L, result.report().dropped().get("query-too-long"));
    assertEquals(1L, result.report().dropped().get("positive-too-short"));
    assertThrows(IllegalArgumentException.class, () -> DataFilters.tokenLength(String::length, 5, 2));
  }

  @Test
  void chainReportsPerFilterAndStreamsLazily() {
    AtomicInteger pulled = new AtomicInteger();
    Stream<TrainingExample> source = Stream.iterate(0, i -> i + 1).limit(100).map(i -> {
      pulled.incrementAndGet();
      return example("q" + (i % 10), "p" + (i % 10), "n");
    });
    DataFilter chain = DataFilters.chain(DataFilters.dedupDocuments(), DataFilters.dedupExamples(),
        DataFilters.tokenLength(t -> t.length(), 2, 100));
    FilterTally tally = new FilterTally(chain.name());
    try (Stream<TrainingExample> out = chain.apply(source, tally)) {
      assertEquals(0, pulled.get());
      assertEquals(2, out.limit(2).count());
      assertTrue(pulled.get() < 100, "pulled " + pulled.get());
    }
    FilterReport report = chain.filter(Stream.iterate(0, i -> i + 1).limit(100)
        .map(i -> example("q" + (i % 10), "p" + (i % 10), "n")).toList()).report();
    assertEquals(100, report.in());
    assertEquals(10, report.kept());
    assertEquals(90L, report.dropped().get(DataFilters.DUPLICATE_EXAMPLE));
    assertEquals(List.of("dedup-documents", "dedup-examples", "token-length"),
        report.parts().stream().map(FilterReport::name).toList());
    assertEquals(100, report.parts().get(1).in());
    assertEquals(10, report.parts().get(2).in());
    assertTrue(report.summary().contains("  dedup-examples: in 100, kept 10"), report.summary());
  }

  /** Counts add up in every part, and the survivors are free of duplicates. */
  @Property(tries = 100)
  void countsAddUpAndOutputIsClean(@ForAll @IntRange(max = 60) int n, @ForAll long seed) {
    Random random = new Random(seed);
    List<TrainingExample> in = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<String> negatives = new ArrayList<>();
      for (int j = random.nextInt(4); j > 0; j--) {
        negatives.add(word(random));
      }
      in.add(TrainingExample.builder().query(word(random) + " " + word(random)).positive(word(random))
          .negatives(negatives).build());
    }
    FilterReport report = DataFilters.chain(DataFilters.dedupDocuments(), DataFilters.dedupExamples(),
        DataFilters.tokenLength(t -> t.split(" ").length, 1, 1)).filter(in).report();
    FilterResult result = DataFilters.chain(DataFilters.dedupDocuments(), DataFilters.dedupExamples()).filter(in);
    for (FilterReport r : List.of(report, report.parts().get(0), report.parts().get(1), report.parts().get(2))) {
      assertEquals(r.in(), r.kept() + r.droppedTotal(), r.summary());
    }
    assertEquals(0, report.kept()); // every query has two words
    Set<String> seen = new HashSet<>();
    for (TrainingExample e : result.examples()) {
      assertTrue(seen.add(Texts.normalize(e.query()) + "|" + Texts.normalize(e.firstPositive())));
      Set<String> docs = new HashSet<>();
      e.positives().forEach(p -> docs.add(Texts.normalize(p)));
      e.negatives().forEach(d -> assertTrue(docs.add(Texts.normalize(d)), "duplicate document " + d));
    }
  }

  private static String word(Random random) {
    String w = "w" + random.nextInt(6);
    return random.nextBoolean() ? w.toUpperCase() : w;
  }

  static TrainingExample example(String query, String positive, String... negatives) {
    return TrainingExample.builder().query(query).positive(positive).negatives(List.of(negatives)).build();
  }
}
