package dev.kalm.train.eval;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.search.SearchConfig;
import dev.kalm.data.search.VectorIndex;
import dev.kalm.data.search.VectorIndexes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reranking as MTEB's {@code RerankingEvaluator}: per sample, the positives and negatives are scored by
 * cosine similarity with the query (the maximum over sub-queries when {@code query} is a list); sklearn's
 * average precision and MRR@10 (ties keep input order, positives first); means over samples. Samples
 * without a positive or without a negative are skipped and counted, as MTEB drops them.
 */
final class RerankingEvaluator implements Evaluator {
  static final int MRR_AT = 10;

  private record Sample(ImmutableList<String> queries, ImmutableList<String> positives,
      ImmutableList<String> negatives) {}

  private final Path file;
  private final String split;
  private final EvaluationConfig config;
  private final ImmutableList<Sample> samples;
  private final int skipped;

  RerankingEvaluator(Path file, String split, EvaluationConfig config) {
    this.file = file;
    this.split = split;
    this.config = config;
    List<Sample> all = Readers.readAll(file, RerankingEvaluator::parse);
    this.samples = all.stream().filter(s -> !s.positives().isEmpty() && !s.negatives().isEmpty())
        .collect(ImmutableList.toImmutableList());
    this.skipped = all.size() - samples.size();
    if (all.isEmpty()) {
      throw Readers.fileError(file, "no reranking samples");
    }
  }

  private static Sample parse(JsonLine l) {
    List<String> queries = l.strings("query");
    if (queries.isEmpty()) {
      throw l.error("query", "must not be empty");
    }
    return new Sample(ImmutableList.copyOf(queries), ImmutableList.copyOf(l.optStrings("positive")),
        ImmutableList.copyOf(l.optStrings("negative")));
  }

  @Override
  public EvaluationTask task() {
    return EvaluationTask.RERANKING;
  }

  @Override
  public String name() {
    return "reranking " + file + " (" + split + ")";
  }

  @Override
  public EvaluationResult evaluate(Embedder embedder, ProgressListener progress) {
    long start = System.nanoTime();
    List<String> queryTexts = new ArrayList<>();
    List<String> docTexts = new ArrayList<>();
    for (Sample s : samples) {
      queryTexts.addAll(s.queries());
      docTexts.addAll(s.positives());
      docTexts.addAll(s.negatives());
    }
    Embedding embedding = new Embedding(embedder, progress,
        (long) Embedding.distinct(queryTexts) + Embedding.distinct(docTexts));
    float[][] queries = Vectors.normalizedRows(embedding.embed(queryTexts, config.queryPromptFor(embedder)));
    float[][] docs = Vectors.normalizedRows(embedding.embed(docTexts, Prompt.none()));
    double apSum = 0;
    double mrrSum = 0;
    int qi = 0;
    int di = 0;
    for (Sample s : samples) {
      int nd = s.positives().size() + s.negatives().size();
      boolean[] relevant = new boolean[nd];
      Arrays.fill(relevant, 0, s.positives().size(), true);
      double[] scores = new double[nd];
      Arrays.fill(scores, Double.NEGATIVE_INFINITY);
      VectorIndex candidates = VectorIndexes.exact(Arrays.copyOfRange(docs, di, di + nd), SearchConfig.deterministic());
      for (int q = 0; q < s.queries().size(); q++) {
        for (int d = 0; d < nd; d++) {
          scores[d] = Math.max(scores[d], candidates.score(queries[qi + q], d));
        }
      }
      qi += s.queries().size();
      di += nd;
      apSum += Metrics.averagePrecision(relevant, scores);
      mrrSum += reciprocalRank(relevant, scores, MRR_AT);
    }
    int n = samples.size();
    ImmutableMap<String, Double> result = ImmutableMap.of(
        "map", n == 0 ? Double.NaN : apSum / n, "mrr_at_" + MRR_AT, n == 0 ? Double.NaN : mrrSum / n);
    return new EvaluationResult(EvaluationTask.RERANKING, file.toString(), split, "map", result, ImmutableMap.of(),
        ImmutableMap.of("samples", (long) n, "skipped_samples", (long) skipped), (System.nanoTime() - start) / 1e9);
  }

  /** 1 / rank of the first relevant candidate within the top {@code k} (score descending, ties in input order), else 0. */
  static double reciprocalRank(boolean[] relevant, double[] scores, int k) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
    for (int r = 0; r < Math.min(k, order.length); r++) {
      if (relevant[order[r]]) {
        return 1.0 / (r + 1);
      }
    }
    return 0;
  }
}
