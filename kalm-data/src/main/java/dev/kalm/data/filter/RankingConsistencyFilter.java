package dev.kalm.data.filter;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.search.SearchResults;
import dev.kalm.data.search.VectorIndex;
import dev.kalm.data.search.VectorIndexes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * KaLM's ranking-consistency filter and hard-negative miner in one pass over the input (held in memory):
 * embed the pool and the queries with the teacher, search the top {@link MiningConfig#retrievalDepth()}
 * of the pool per query, then let {@link MiningRule} decide each example (keep iff its best positive
 * scores at least the score at rank {@code filterTopK}; negatives sampled from ranks [rangeMin, rangeMax))
 * with the seed of its position in this filter's input. A given {@link MiningConfig#corpus()} is embedded
 * and indexed on the first run and reused by later runs of this filter (one per file with per-file pools):
 * the same pool, so the same results, embedded once.
 */
final class RankingConsistencyFilter implements DataFilter {
  private final Embedder teacher;
  private final MiningConfig config;
  private final ProgressListener progress;
  /** The index of {@link MiningConfig#corpus()}, built on first use: the pool of every run (file) is the same. */
  private @Nullable VectorIndex corpusIndex;

  RankingConsistencyFilter(Embedder teacher, MiningConfig config, ProgressListener progress) {
    this.teacher = teacher;
    this.config = config;
    this.progress = progress;
  }

  @Override
  public String name() {
    return config.filter() ? (config.mine() ? "ranking-consistency+mining" : "ranking-consistency") : "hard-negative-mining";
  }

  @Override
  public Stream<TrainingExample> apply(Stream<TrainingExample> examples, FilterTally tally) {
    // Needs every example before the first can go out: collect on the first pull, not now.
    return StreamSupport.stream(() -> run(examples.toList(), tally).spliterator(), Spliterator.ORDERED, false)
        .onClose(examples::close);
  }

  private List<TrainingExample> run(List<TrainingExample> examples, FilterTally tally) {
    tally.in(examples.size());
    if (examples.isEmpty()) {
      return List.of();
    }
    // Texts to embed: the pool first (ids [0, poolSize)), then positives (and, for scores, negatives) outside it.
    Map<String, Integer> textIds = new LinkedHashMap<>();
    if (config.corpus().isEmpty()) {
      for (TrainingExample e : examples) {
        e.positives().forEach(t -> textIds.putIfAbsent(t, textIds.size()));
        e.negatives().forEach(t -> textIds.putIfAbsent(t, textIds.size()));
      }
    } else {
      config.corpus().forEach(t -> textIds.putIfAbsent(t, textIds.size()));
    }
    int poolSize = textIds.size();
    for (TrainingExample e : examples) {
      e.positives().forEach(t -> textIds.putIfAbsent(t, textIds.size()));
      if (config.recordScores()) {
        e.negatives().forEach(t -> textIds.putIfAbsent(t, textIds.size()));
      }
    }
    List<String> texts = new ArrayList<>(textIds.keySet());

    // Queries, grouped by prompt, each distinct (prompt, text) embedded once.
    Map<Prompt, Map<String, Integer>> groups = new LinkedHashMap<>();
    int[] queryRow = new int[examples.size()];
    int queryCount = 0;
    for (int i = 0; i < examples.size(); i++) {
      Map<String, Integer> group = groups.computeIfAbsent(promptOf(examples.get(i)), p -> new LinkedHashMap<>());
      Integer row = group.get(examples.get(i).query());
      if (row == null) {
        row = queryCount++;
        group.put(examples.get(i).query(), row);
      }
      queryRow[i] = row;
    }
    VectorIndex cached = cachedCorpusIndex();
    int embedFrom = cached == null ? 0 : poolSize; // a given corpus is embedded once, not once per file
    long totalWork = texts.size() - embedFrom + 2L * queryCount;

    long start = System.nanoTime();
    float[][] docVectors = new float[texts.size()][];
    float[][] embedded = embedFrom == texts.size() ? new float[0][]
        : teacher.embed(texts.subList(embedFrom, texts.size()), Prompt.none(),
            (done, total) -> progress.progress(done, totalWork));
    System.arraycopy(embedded, 0, docVectors, embedFrom, embedded.length);
    float[][] queryVectors = new float[queryCount][];
    long offset = texts.size() - embedFrom;
    for (Map.Entry<Prompt, Map<String, Integer>> group : groups.entrySet()) {
      List<String> queries = new ArrayList<>(group.getValue().keySet());
      long base = offset;
      float[][] vectors = teacher.embed(queries, group.getKey(), (done, total) -> progress.progress(base + done, totalWork));
      for (int j = 0; j < queries.size(); j++) {
        queryVectors[group.getValue().get(queries.get(j))] = vectors[j];
      }
      offset += queries.size();
    }
    double embedSeconds = (System.nanoTime() - start) / 1e9;
    long embedTokens = tokensEmbedded(texts.subList(embedFrom, texts.size()), groups);

    VectorIndex index = cached;
    if (index == null) {
      index = VectorIndexes.exact(Arrays.copyOf(docVectors, poolSize), config.search());
      Arrays.fill(docVectors, 0, poolSize, null); // the index holds its own copy of the pool
      if (!config.corpus().isEmpty()) {
        cacheCorpusIndex(index);
      }
    }
    int depth = config.retrievalDepth(); // >= 1; the search returns min(depth, poolSize)
    long searchStart = System.nanoTime();
    long searchBase = offset;
    SearchResults results = index.search(queryVectors, depth, (done, total) -> progress.progress(searchBase + done, totalWork));
    double searchSeconds = (System.nanoTime() - searchStart) / 1e9;

    // Added, not set: a filter applied once per file (per-file pools) sums its runs into one tally.
    tally.add("pools", 1);
    tally.add("pool_size", poolSize);
    tally.add("queries", queryCount);
    tally.add("embedded_texts", texts.size() - embedFrom + queryCount);
    tally.add("embed_seconds", embedSeconds);
    tally.add("embed_tokens", embedTokens);
    double allEmbedSeconds = tally.metric("embed_seconds");
    tally.set("embed_tokens_per_second", allEmbedSeconds > 0 ? tally.metric("embed_tokens") / allEmbedSeconds : 0);
    tally.add("search_seconds", searchSeconds);
    tally.add("search_scores", (double) queryCount * poolSize);
    double allSeconds = tally.metric("search_seconds");
    tally.set("search_scores_per_second", allSeconds > 0 ? tally.metric("search_scores") / allSeconds : 0);

    Scorer scorer = new Scorer(index, docVectors, textIds, poolSize);
    MiningRule rule = MiningRule.of(config);
    MiningRule.Pool pool = MiningRule.Pool.of(texts.subList(0, poolSize));
    List<TrainingExample> kept = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      TrainingExample e = examples.get(i);
      int row = queryRow[i];
      float[] q = queryVectors[row];
      float best = config.filter() ? bestPositive(e, q, row, results, scorer) : Float.NaN;
      MiningRule.Decision decision = rule.decide(MiningRule.Example.of(e.query(), e.positives(), best, e.negatives()),
          results.hits(row), pool, MiningRule.exampleSeed(config.seed(), i));
      if (!decision.kept()) {
        tally.dropped(decision.dropReason(), 1);
        continue;
      }
      TrainingExample out = config.mine() ? withNegatives(e, decision, texts, tally) : e;
      if (config.recordScores()) {
        out = out.withScores(scores(out.positives(), q, row, results, scorer),
            scores(out.negatives(), q, row, results, scorer));
      }
      kept.add(out);
    }
    tally.kept(kept.size());
    return kept;
  }

  /**
   * Tokens the teacher saw for the texts and the prompted queries just embedded (each cut to its maximum
   * length), counted after the timed embedding so the count does not inflate its time.
   */
  private long tokensEmbedded(List<String> texts, Map<Prompt, Map<String, Integer>> queryGroups) {
    int configured = teacher.config().maxLength();
    int max = configured == 0 ? EmbedderConfig.DEFAULT_MAX_LENGTH : configured;
    long tokens = 0;
    for (String text : texts) {
      tokens += Math.min(max, teacher.tokenCount(text));
    }
    for (Map.Entry<Prompt, Map<String, Integer>> group : queryGroups.entrySet()) {
      for (String query : group.getValue().keySet()) {
        tokens += Math.min(max, teacher.tokenCount(group.getKey().apply(query)));
      }
    }
    return tokens;
  }

  private synchronized @Nullable VectorIndex cachedCorpusIndex() {
    return corpusIndex;
  }

  private synchronized void cacheCorpusIndex(VectorIndex index) {
    corpusIndex = index;
  }

  private Prompt promptOf(TrainingExample e) {
    return config.exampleInstructions() && e.instruction() != null && !e.instruction().isBlank()
        ? Prompt.instruction(e.instruction())
        : config.queryPrompt();
  }

  /** The best teacher score among the example's positives, as the search scores them. */
  private static float bestPositive(TrainingExample e, float[] q, int row, SearchResults results, Scorer scorer) {
    float best = Float.NEGATIVE_INFINITY;
    for (String positive : e.positives()) {
      best = Math.max(best, scorer.score(positive, q, row, results));
    }
    return best;
  }

  /** The example with the decision's negatives (itself when they are unchanged); counts them. */
  private TrainingExample withNegatives(TrainingExample e, MiningRule.Decision decision, List<String> texts,
      FilterTally tally) {
    List<String> negatives = new ArrayList<>(decision.negativeCount());
    decision.existing().forEach(i -> negatives.add(e.negatives().get(i)));
    decision.mined().forEach(id -> negatives.add(texts.get(id)));
    decision.padded().forEach(id -> negatives.add(texts.get(id)));
    tally.add("negatives_existing", decision.existing().length());
    tally.add("negatives_mined", decision.mined().length());
    tally.add("negatives_padded", decision.padded().length());
    if (negatives.size() < config.negatives()) {
      tally.add("examples_short_of_negatives", 1);
    }
    return negatives.equals(e.negatives()) ? e : e.withNegatives(negatives);
  }

  private static List<Double> scores(List<String> docs, float[] q, int row, SearchResults results, Scorer scorer) {
    List<Double> out = new ArrayList<>(docs.size());
    for (String doc : docs) {
      // Through Float.toString so the JSON shows the float's shortest form, not its double expansion.
      out.add(Double.parseDouble(Float.toString(scorer.score(doc, q, row, results))));
    }
    return out;
  }

  /** Teacher scores of texts: the search's own score when the text is in the query's list, else a dot product. */
  private record Scorer(VectorIndex index, float[][] vectors, Map<String, Integer> textIds, int poolSize) {
    float score(String text, float[] q, int row, SearchResults results) {
      int id = textIds.get(text);
      if (id < poolSize) {
        for (int r = 0; r < results.count(row); r++) {
          if (results.id(row, r) == id) {
            return results.score(row, r);
          }
        }
        return index.score(q, id);
      }
      float[] v = vectors[id];
      double sum = 0;
      for (int j = 0; j < v.length; j++) {
        sum += (double) q[j] * v[j];
      }
      return (float) sum;
    }
  }
}
