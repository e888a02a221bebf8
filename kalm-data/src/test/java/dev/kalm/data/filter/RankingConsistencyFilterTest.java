package dev.kalm.data.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.example.Texts;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.search.SearchConfig;
import dev.kalm.data.testing.FakeEmbedder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RankingConsistencyFilterTest {
  private static final SearchConfig SMALL_BLOCKS = SearchConfig.builder().queryBlock(2).docBlock(3).build();

  /** Corpus with known scores: query vectors are [1], a document's vector is [its score]. */
  private static final Map<String, Float> SCORES = Map.of(
      "n1", 0.9f, "n2", 0.8f, "n3", 0.75f, "p1", 0.7f, "p2", 0.65f, "n4", 0.6f, "Q1 ", 0.55f, "n6", 0.4f, "n7", 0.3f);

  @Test
  void keepsAtRankFilterTopKDropsBelowAndMinesFromTheRange() {
    MiningConfig config = MiningConfig.builder().filterTopK(3).range(3, 7).negatives(2)
        .corpus(List.copyOf(new java.util.TreeMap<>(SCORES).keySet())).search(SMALL_BLOCKS).build();
    List<TrainingExample> in = List.of(example("q1", "p1"), example("q2", "p2"));
    FilterResult result = DataFilters.rankingConsistency(new ScalarEmbedder(), config).filter(in);
    // q1: n1 n2 n3 [p1] p2 n4 "Q1 " ...: p1 is at rank 3 = filterTopK, kept. q2: p2 at rank 4, dropped.
    assertEquals(1, result.examples().size());
    TrainingExample kept = result.examples().get(0);
    assertEquals("q1", kept.query());
    // Ranks [3, 7) = p1 (its positive), p2, n4, "Q1 " (equals the query once normalised): only p2 and n4 qualify.
    assertEquals(Set.of("p2", "n4"), Set.copyOf(kept.negatives()));
    FilterReport report = result.report();
    assertEquals(1L, report.dropped().get(DataFilters.INCONSISTENT_RANKING));
    assertEquals(9.0, report.metrics().get("pool_size"));
    assertEquals(2.0, report.metrics().get("negatives_mined"));
    assertEquals(0.0, report.metrics().get("negatives_padded"));
    assertTrue(report.metrics().get("search_scores_per_second") > 0);
  }

  @Test
  void filterOnlyAndMineOnly() {
    List<String> corpus = List.copyOf(SCORES.keySet());
    List<TrainingExample> in = List.of(example("q1", "p1", "n7"), example("q2", "p2"));
    MiningConfig filterOnly = MiningConfig.builder().filterTopK(3).mine(false).corpus(corpus).build();
    FilterResult filtered = DataFilters.rankingConsistency(new ScalarEmbedder(), filterOnly).filter(in);
    assertEquals(List.of(in.get(0)), filtered.examples());
    assertEquals("ranking-consistency", filtered.report().name());

    MiningConfig mineOnly = MiningConfig.builder().filterTopK(3).filter(false).range(0, 3).negatives(2).corpus(corpus).build();
    FilterResult mined = DataFilters.rankingConsistency(new ScalarEmbedder(), mineOnly).filter(in);
    assertEquals(2, mined.examples().size());
    assertEquals("n7", mined.examples().get(0).negatives().get(0)); // existing negative first
    assertTrue(Set.of("n1", "n2", "n3").contains(mined.examples().get(0).negatives().get(1)));
    assertEquals("hard-negative-mining", mined.report().name());
    assertThrows(IllegalArgumentException.class, () -> MiningConfig.builder().filter(false).mine(false).build());
  }

  @Test
  void shortListsKeepAndPaddingFillsFromThePool() {
    List<TrainingExample> in = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      in.add(example("query " + i, "doc " + i));
    }
    in.add(example("query 0", "DOC 0")); // its own positive, differently cased: never a negative of query 0
    FakeEmbedder embedder = FakeEmbedder.quantized(4);
    FilterResult result = DataFilters.rankingConsistency(embedder, MiningConfig.builder().search(SMALL_BLOCKS).build())
        .filter(in);
    assertEquals(11, result.examples().size()); // 11 texts < 50: every list is short, nothing dropped
    for (TrainingExample e : result.examples()) {
      assertEquals(7, e.negatives().size()); // nothing at ranks 50..100: all padded from the pool
      assertNoBadNegative(e);
    }
    assertEquals(77.0, result.report().metrics().get("negatives_padded"));

    FilterResult tiny = DataFilters.rankingConsistency(embedder, MiningConfig.defaults())
        .filter(List.of(example("a", "b", "c"), example("d", "e")));
    assertEquals(List.of("c", "e"), tiny.examples().get(0).negatives());
    assertEquals(2.0, tiny.report().metrics().get("examples_short_of_negatives"));
  }

  @Test
  void countsTheTokensItEmbedsOncePerTextAndPromptedQuery() {
    // Pool "a b c", "d e", "f" (6 words) and "x" (1); queries "q one" and "q two words", "q one" twice (embedded once),
    // each with the instruction prefix: the fake counts words, so the prompt's words count once per distinct query.
    Prompt prompt = Prompt.instruction("task");
    int promptWords = prompt.apply("").strip().split("\\s+").length;
    List<TrainingExample> in = List.of(example("q one", "a b c", "f"), example("q two words", "d e"),
        example("q one", "x"));
    MiningConfig config = MiningConfig.builder().filter(false).negatives(1).queryPrompt(prompt).build();
    FilterReport report = DataFilters.rankingConsistency(FakeEmbedder.bagOfWords(8), config).filter(in).report();
    assertEquals(7.0 + 2 + 3 + 2 * promptWords, report.metrics().get("embed_tokens"));
    assertTrue(report.metrics().get("embed_tokens_per_second") > 0);
  }

  @Test
  void existingNegativesComeFirstAndBadOnesGo() {
    TrainingExample e = TrainingExample.builder().query("the query").positive("pos")
        .negatives(List.of("e1", "POS", "The  Query", "e1 ", "e2", "e3")).build();
    MiningConfig config = MiningConfig.builder().negatives(3).filter(false).build();
    TrainingExample out = DataFilters.rankingConsistency(FakeEmbedder.quantized(4), config).filter(List.of(e))
        .examples().get(0);
    assertEquals(List.of("e1", "e2", "e3"), out.negatives());
  }

  @Test
  void replaceMinesEveryNegativeAsFlagEmbeddingDoes() {
    TrainingExample e = TrainingExample.builder().query("the query").positive("pos")
        .negatives(List.of("e1", "e2", "e3")).build();
    List<TrainingExample> in = List.of(e, example("other query", "p2", "x1"), example("third", "p3", "x2"));
    MiningConfig config = MiningConfig.builder().negatives(3).filter(false).range(0, 10)
        .existingNegatives(ExistingNegatives.REPLACE).build();
    FilterResult result = DataFilters.rankingConsistency(FakeEmbedder.quantized(4), config).filter(in);
    TrainingExample out = result.examples().get(0);
    assertEquals(3, out.negatives().size());
    assertNoBadNegative(out);
    assertEquals(0.0, result.report().metrics().get("negatives_existing"));
    assertEquals(9.0, result.report().metrics().get("negatives_mined"));
  }

  @Test
  void promptsGoToQueriesOnly() {
    FakeEmbedder embedder = FakeEmbedder.quantized(4);
    List<TrainingExample> in = List.of(example("q1", "p1"), example("q2", "p2").withInstruction("Find code"),
        example("q1", "p3"));
    MiningConfig config = MiningConfig.builder().queryPrompt(Prompt.instruction("Retrieve")).build();
    DataFilters.rankingConsistency(embedder, config).filter(in);
    List<FakeEmbedder.Call> calls = embedder.calls();
    assertEquals(3, calls.size());
    assertEquals(Prompt.none(), calls.get(0).prompt());
    assertEquals(List.of("p1", "p2", "p3"), calls.get(0).texts());
    assertEquals(Prompt.instruction("Retrieve"), calls.get(1).prompt());
    assertEquals(List.of("q1"), calls.get(1).texts()); // one embedding for a repeated query
    assertEquals(Prompt.instruction("Find code"), calls.get(2).prompt());
  }

  @Test
  void recordsTeacherScores() {
    FakeEmbedder embedder = FakeEmbedder.quantized(6);
    List<TrainingExample> in = List.of(example("q1", "p1", "n1"), example("q2", "p2", "n2"), example("q3", "p3"));
    MiningConfig config = MiningConfig.builder().filter(false).negatives(2).recordScores(true).build();
    for (TrainingExample e : DataFilters.rankingConsistency(embedder, config).filter(in).examples()) {
      assertEquals(e.negatives().size(), e.negScores().size());
      float[] q = embedder.vector(e.query());
      assertEquals(dot(q, embedder.vector(e.firstPositive())), e.posScores().get(0), 1e-6);
      for (int i = 0; i < e.negatives().size(); i++) {
        assertEquals(dot(q, embedder.vector(e.negatives().get(i))), e.negScores().get(i), 1e-6);
      }
    }
  }

  @Test
  void samplesUniformlyFromTheRange() {
    List<String> corpus = new ArrayList<>();
    Map<String, Float> scores = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      corpus.add("d" + i);
      scores.put("d" + i, 1 - i * 0.01f);
    }
    scores.put("p", 2f);
    ScalarEmbedder embedder = new ScalarEmbedder(scores);
    Map<String, Integer> counts = new HashMap<>();
    for (long seed = 0; seed < 500; seed++) {
      MiningConfig config = MiningConfig.builder().filter(false).range(5, 15).negatives(2).seed(seed).corpus(corpus).build();
      DataFilters.rankingConsistency(embedder, config).filter(List.of(example("q", "p"))).examples().get(0)
          .negatives().forEach(n -> counts.merge(n, 1, Integer::sum));
    }
    // Ranks 5..14 are d5..d14 (p is not in the corpus); each is drawn with probability 2/10.
    assertEquals(Set.of("d5", "d6", "d7", "d8", "d9", "d10", "d11", "d12", "d13", "d14"), counts.keySet());
    counts.values().forEach(c -> assertTrue(c > 60 && c < 140, "count " + c + " in " + counts));
  }

  @Test
  void bagOfWordsTeacherDropsAnUnrelatedPair() {
    List<TrainingExample> in = new ArrayList<>();
    String[] topics = {"copy files", "list directory", "compress archive", "network socket", "print text",
        "change owner", "kill process", "mount disk", "sort lines", "search pattern"};
    for (String t : topics) {
      in.add(example(t + " on the command line", t + " with the command line tool"));
    }
    in.add(example("copy files on the command line", "nice weather today outside")); // noisy pair
    MiningConfig config = MiningConfig.builder().filterTopK(2).negatives(3).range(1, 5).build();
    FilterResult result = DataFilters.rankingConsistency(FakeEmbedder.bagOfWords(256), config).filter(in);
    assertEquals(10, result.examples().size());
    assertTrue(result.examples().stream().noneMatch(e -> e.firstPositive().contains("weather")));
  }

  /** Against a brute-force reference: the keep decision, the negatives' rules, and determinism. */
  @Property(tries = 50)
  void agreesWithReference(
      @ForAll @IntRange(min = 1, max = 25) int n,
      @ForAll @IntRange(max = 8) int filterTopK,
      @ForAll @IntRange(max = 8) int rangeMin,
      @ForAll @IntRange(min = 1, max = 12) int rangeWidth,
      @ForAll @IntRange(max = 6) int negatives,
      @ForAll boolean filter,
      @ForAll long seed) {
    Random random = new Random(seed);
    List<TrainingExample> in = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TrainingExample.Builder b = TrainingExample.builder().query("query " + random.nextInt(2 * n))
          .positive("doc " + random.nextInt(3 * n));
      if (random.nextInt(3) == 0) {
        b.positive("Doc " + random.nextInt(3 * n));
      }
      for (int j = random.nextInt(4); j > 0; j--) {
        b.negative("doc " + random.nextInt(3 * n));
      }
      in.add(b.build());
    }
    FakeEmbedder embedder = FakeEmbedder.quantized(8);
    MiningConfig config = MiningConfig.builder().filter(filter).filterTopK(filterTopK)
        .range(rangeMin, rangeMin + rangeWidth).negatives(negatives).seed(seed)
        .search(SearchConfig.builder().queryBlock(8).docBlock(16).build()).build();
    FilterResult result = DataFilters.rankingConsistency(embedder, config).filter(in);
    assertEquals(result.examples(), DataFilters.rankingConsistency(embedder, config).filter(in).examples(), "deterministic");

    List<String> pool = new ArrayList<>(new LinkedHashSet<>(in.stream()
        .flatMap(e -> java.util.stream.Stream.concat(e.positives().stream(), e.negatives().stream())).toList()));
    int depth = Math.min(pool.size(), config.retrievalDepth());
    List<TrainingExample> expectedKept = new ArrayList<>();
    for (TrainingExample e : in) {
      float[] q = embedder.vector(e.query());
      List<Float> sorted = pool.stream().map(t -> dot(q, embedder.vector(t))).sorted((a, b) -> Float.compare(b, a)).toList();
      float best = (float) e.positives().stream().mapToDouble(p -> dot(q, embedder.vector(p))).max().orElseThrow();
      if (!filter || depth <= filterTopK || best >= sorted.get(filterTopK)) {
        expectedKept.add(e);
      }
    }
    assertEquals(expectedKept.stream().map(TrainingExample::query).toList(),
        result.examples().stream().map(TrainingExample::query).toList());

    for (int i = 0; i < expectedKept.size(); i++) {
      TrainingExample original = expectedKept.get(i);
      TrainingExample out = result.examples().get(i);
      assertEquals(original.positives(), out.positives());
      assertNoBadNegative(out);
      Set<String> excluded = new HashSet<>();
      excluded.add(Texts.normalize(out.query()));
      out.positives().forEach(p -> excluded.add(Texts.normalize(p)));
      Set<String> eligiblePool = pool.stream().map(Texts::normalize).filter(t -> !excluded.contains(t))
          .collect(Collectors.toSet());
      assertEquals(Math.min(negatives, eligiblePool.size()), out.negatives().size());
      // Existing negatives first, in order.
      List<String> existing = new ArrayList<>();
      Set<String> seen = new HashSet<>(excluded);
      for (String neg : original.negatives()) {
        if (existing.size() < negatives && seen.add(Texts.normalize(neg))) {
          existing.add(neg);
        }
      }
      assertEquals(existing, out.negatives().subList(0, existing.size()));
      // When the rank window clearly holds enough eligible texts, the new negatives all come from it.
      float[] q = embedder.vector(out.query());
      List<Float> sorted = pool.stream().map(t -> dot(q, embedder.vector(t))).sorted((a, b) -> Float.compare(b, a)).toList();
      int to = Math.min(rangeMin + rangeWidth, depth);
      if (rangeMin < to) {
        float hi = sorted.get(rangeMin);
        float lo = sorted.get(to - 1);
        Set<String> strictlyInside = pool.stream()
            .filter(t -> dot(q, embedder.vector(t)) < hi && dot(q, embedder.vector(t)) > lo)
            .map(Texts::normalize).filter(t -> !seen.contains(t)).collect(Collectors.toSet());
        if (strictlyInside.size() >= negatives - existing.size()) {
          for (String neg : out.negatives().subList(existing.size(), out.negatives().size())) {
            float s = dot(q, embedder.vector(neg));
            assertTrue(s <= hi && s >= lo, neg + " scores " + s + " outside [" + lo + ", " + hi + "]");
          }
        }
      }
    }
    FilterReport report = result.report();
    assertEquals(report.in(), report.kept() + report.droppedTotal());
  }

  @Test
  void seedChangesTheSample() {
    List<TrainingExample> in = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      in.add(example("query " + i, "doc " + i));
    }
    MiningConfig a = MiningConfig.builder().filter(false).range(5, 30).seed(1).build();
    FakeEmbedder embedder = FakeEmbedder.quantized(8);
    assertNotEquals(DataFilters.rankingConsistency(embedder, a).filter(in).examples(),
        DataFilters.rankingConsistency(embedder, a.toBuilder().seed(2).build()).filter(in).examples());
  }

  @Test
  void reportsProgressToTheEnd() {
    List<long[]> seen = new ArrayList<>();
    ProgressListener progress = (done, total) -> seen.add(new long[] {done, total});
    DataFilters.rankingConsistency(FakeEmbedder.quantized(4), MiningConfig.defaults(), progress)
        .filter(List.of(example("q1", "p1"), example("q2", "p2")));
    long[] last = seen.get(seen.size() - 1);
    assertEquals(2 + 2 * 2, last[1]);
    assertEquals(last[1], last[0]);
    for (int i = 1; i < seen.size(); i++) {
      assertTrue(seen.get(i)[0] >= seen.get(i - 1)[0]);
    }
  }

  private static void assertNoBadNegative(TrainingExample e) {
    Set<String> taken = new HashSet<>();
    taken.add(Texts.normalize(e.query()));
    e.positives().forEach(p -> taken.add(Texts.normalize(p)));
    for (String neg : e.negatives()) {
      assertTrue(!neg.isBlank() && taken.add(Texts.normalize(neg)), "bad negative '" + neg + "' in " + e);
    }
  }

  private static float dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return (float) s;
  }

  private static TrainingExample example(String query, String positive, String... negatives) {
    return TrainingExample.builder().query(query).positive(positive).negatives(List.of(negatives)).build();
  }

  /** Documents are [score], queries (anything with a prompt or named q...) are [1]. */
  private static final class ScalarEmbedder implements Embedder {
    private final Map<String, Float> scores;

    ScalarEmbedder() {
      this(SCORES);
    }

    ScalarEmbedder(Map<String, Float> scores) {
      this.scores = scores;
    }

    @Override
    public float[][] embed(List<String> texts, Prompt prompt, ProgressListener progress) {
      float[][] out = new float[texts.size()][];
      for (int i = 0; i < texts.size(); i++) {
        Float s = scores.get(texts.get(i));
        out[i] = new float[] {s == null ? 1f : s};
      }
      return out;
    }

    @Override
    public int dimension() {
      return 1;
    }

    @Override
    public int tokenCount(String text) {
      return 1;
    }

    @Override
    public EmbedderConfig config() {
      return EmbedderConfig.builder().build();
    }

    @Override
    public void close() {}
  }
}
