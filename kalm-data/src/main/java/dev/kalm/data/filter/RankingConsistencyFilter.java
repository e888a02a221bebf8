package dev.kalm.data.filter;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.Prompt;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.example.Texts;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.search.SearchResults;
import dev.kalm.data.search.VectorIndex;
import dev.kalm.data.search.VectorIndexes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.Spliterator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * KaLM's ranking-consistency filter and hard-negative miner in one pass over the input (held in memory):
 * embed the pool and the queries with the teacher, search the top {@link MiningConfig#retrievalDepth()}
 * of the pool per query, keep an example iff its best positive scores at least the score at rank
 * {@code filterTopK}, and sample its negatives from ranks [rangeMin, rangeMax).
 */
final class RankingConsistencyFilter implements DataFilter {
  static final String INCONSISTENT = "inconsistent-ranking";

  private final Embedder teacher;
  private final MiningConfig config;
  private final ProgressListener progress;

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
    long totalWork = texts.size() + 2L * queryCount;

    long start = System.nanoTime();
    float[][] docVectors = teacher.embed(texts, Prompt.none(), (done, total) -> progress.progress(done, totalWork));
    float[][] queryVectors = new float[queryCount][];
    long offset = texts.size();
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

    VectorIndex index = VectorIndexes.exact(Arrays.copyOf(docVectors, poolSize), config.search());
    Arrays.fill(docVectors, 0, poolSize, null); // the index holds its own copy of the pool
    int depth = config.retrievalDepth(); // >= 1; the search returns min(depth, poolSize)
    long searchStart = System.nanoTime();
    long searchBase = offset;
    SearchResults results = index.search(queryVectors, depth, (done, total) -> progress.progress(searchBase + done, totalWork));
    double searchSeconds = (System.nanoTime() - searchStart) / 1e9;

    tally.set("pool_size", poolSize);
    tally.set("queries", queryCount);
    tally.set("embedded_texts", texts.size() + queryCount);
    tally.set("embed_seconds", embedSeconds);
    tally.set("search_seconds", searchSeconds);
    tally.set("search_scores_per_second", searchSeconds > 0 ? (double) queryCount * poolSize / searchSeconds : 0);

    Scorer scorer = new Scorer(index, docVectors, textIds, poolSize);
    List<TrainingExample> kept = new ArrayList<>();
    for (int i = 0; i < examples.size(); i++) {
      TrainingExample e = examples.get(i);
      int row = queryRow[i];
      float[] q = queryVectors[row];
      if (config.filter() && !consistent(e, q, row, results, scorer)) {
        tally.dropped(INCONSISTENT, 1);
        continue;
      }
      TrainingExample out = config.mine() ? mine(e, i, q, row, results, texts, poolSize, scorer, tally) : e;
      if (config.recordScores()) {
        out = out.withScores(scores(out.positives(), q, row, results, scorer),
            scores(out.negatives(), q, row, results, scorer));
      }
      kept.add(out);
    }
    tally.kept(kept.size());
    return kept;
  }

  private Prompt promptOf(TrainingExample e) {
    return config.exampleInstructions() && e.instruction() != null && !e.instruction().isBlank()
        ? Prompt.instruction(e.instruction())
        : config.queryPrompt();
  }

  /** KaLM: keep iff the best positive scores at least the result at rank filterTopK (a short list keeps). */
  private boolean consistent(TrainingExample e, float[] q, int row, SearchResults results, Scorer scorer) {
    if (results.count(row) <= config.filterTopK()) {
      return true;
    }
    float threshold = results.score(row, config.filterTopK());
    float best = Float.NEGATIVE_INFINITY;
    for (String positive : e.positives()) {
      best = Math.max(best, scorer.score(positive, q, row, results));
    }
    return best >= threshold;
  }

  private TrainingExample mine(TrainingExample e, int index, float[] q, int row, SearchResults results,
      List<String> texts, int poolSize, Scorer scorer, FilterTally tally) {
    int wanted = config.negatives();
    SplittableRandom random = new SplittableRandom(mix(config.seed(), index));
    Set<String> excluded = new HashSet<>();
    excluded.add(Texts.normalize(e.query()));
    e.positives().forEach(p -> excluded.add(Texts.normalize(p)));
    Set<String> chosen = new HashSet<>();
    List<String> negatives = new ArrayList<>(wanted);

    for (String existing : e.negatives()) {
      if (negatives.size() < wanted && eligible(existing, excluded, chosen)) {
        negatives.add(existing);
      }
    }
    int existingCount = negatives.size();

    if (negatives.size() < wanted) {
      int from = Math.min(config.rangeMin(), results.count(row));
      int to = Math.min(config.rangeMax(), results.count(row));
      int[] candidates = new int[to - from];
      for (int r = from; r < to; r++) {
        candidates[r - from] = results.id(row, r);
      }
      // Partial Fisher-Yates: uniform without replacement among the eligible candidates.
      for (int left = candidates.length; left > 0 && negatives.size() < wanted; left--) {
        int j = random.nextInt(left);
        int id = candidates[j];
        candidates[j] = candidates[left - 1];
        if (eligible(texts.get(id), excluded, chosen)) {
          negatives.add(texts.get(id));
        }
      }
    }
    int minedCount = negatives.size() - existingCount;

    // Pad from random pool texts: a few random probes, then a scan from a random start.
    for (int probe = 0; negatives.size() < wanted && probe < 4 * wanted + 16; probe++) {
      String text = texts.get(random.nextInt(poolSize));
      if (eligible(text, excluded, chosen)) {
        negatives.add(text);
      }
    }
    int startAt = random.nextInt(poolSize);
    for (int k = 0; k < poolSize && negatives.size() < wanted; k++) {
      String text = texts.get((startAt + k) % poolSize);
      if (eligible(text, excluded, chosen)) {
        negatives.add(text);
      }
    }
    int paddedCount = negatives.size() - existingCount - minedCount;

    tally.add("negatives_existing", existingCount);
    tally.add("negatives_mined", minedCount);
    tally.add("negatives_padded", paddedCount);
    if (negatives.size() < wanted) {
      tally.add("examples_short_of_negatives", 1);
    }
    if (negatives.equals(e.negatives())) {
      return e;
    }
    return e.withNegatives(negatives);
  }

  /** Not blank, not the query or a positive, not already chosen (all normalised); marks it chosen. */
  private static boolean eligible(String text, Set<String> excluded, Set<String> chosen) {
    String key = Texts.normalize(text);
    return !key.isEmpty() && !excluded.contains(key) && chosen.add(key);
  }

  private static List<Double> scores(List<String> docs, float[] q, int row, SearchResults results, Scorer scorer) {
    List<Double> out = new ArrayList<>(docs.size());
    for (String doc : docs) {
      // Through Float.toString so the JSON shows the float's shortest form, not its double expansion.
      out.add(Double.parseDouble(Float.toString(scorer.score(doc, q, row, results))));
    }
    return out;
  }

  /** SplitMix64 of (seed, index): an independent, reproducible stream per example. */
  static long mix(long seed, long index) {
    long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
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
