package dev.kalm.train.eval;

import com.google.common.collect.ImmutableMap;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.Prompt;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.beir.BeirDataset;
import dev.kalm.data.search.SearchConfig;
import dev.kalm.data.search.SearchResults;
import dev.kalm.data.search.VectorIndexes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dense retrieval on a BEIR data set, scored as MTEB scores it (pytrec_eval for nDCG, MAP, recall and
 * precision at cut-offs; MTEB's own MRR). Averaged over the judged queries (at least one qrel score
 * &gt;= 1); a judged query none of whose relevant documents is in the corpus scores 0, or is left out with
 * {@link EvaluationConfig#skipUnanswerable()}; {@code counts.queries_without_relevant_documents} always
 * says how many there are. Documents are sorted by id in descending byte order before the
 * search so that the search's "lower index first" tie rule gives trec_eval's order (score descending,
 * then document id descending). A data set without any usable judgment (no query with a relevance >= 1 for a
 * document of the corpus) is rejected when the evaluator is built.
 */
final class RetrievalEvaluator implements Evaluator {
  private final BeirDataset data;
  private final EvaluationConfig config;
  private final SearchConfig search;
  private final String[] docIds;
  private final List<String> docTexts;
  private final List<String> queryIds;
  private final int skipped;
  private final int unanswerable;

  RetrievalEvaluator(BeirDataset data, EvaluationConfig config, SearchConfig search) {
    this.data = data;
    this.config = config;
    this.search = search;
    this.docIds = data.corpus().keySet().toArray(String[]::new);
    byte[][] keys = new byte[docIds.length][];
    Integer[] order = new Integer[docIds.length];
    for (int i = 0; i < docIds.length; i++) {
      keys[i] = docIds[i].getBytes(StandardCharsets.UTF_8);
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(keys[b], keys[a]));
    String[] sorted = new String[docIds.length];
    List<String> texts = new ArrayList<>(docIds.length);
    for (int i = 0; i < order.length; i++) {
      sorted[i] = docIds[order[i]];
      texts.add(data.corpus().get(sorted[i]));
    }
    System.arraycopy(sorted, 0, docIds, 0, docIds.length);
    this.docTexts = texts;
    // Judged: at least one relevant judgment. Unanswerable: judged, but no relevant document in the corpus;
    // pytrec_eval and MTEB score such a query 0 (ideal DCG from the judgments, nothing relevant retrieved).
    List<String> evaluable = new ArrayList<>();
    int skip = 0;
    int missing = 0;
    for (String q : data.queries().keySet()) {
      Map<String, Integer> judgments = data.qrels().getOrDefault(q, ImmutableMap.of());
      boolean judged = judgments.values().stream().anyMatch(score -> score >= 1);
      boolean answerable = judgments.entrySet().stream()
          .anyMatch(e -> e.getValue() >= 1 && data.corpus().containsKey(e.getKey()));
      if (judged && !answerable) {
        missing++;
      }
      if (answerable || (judged && !config.skipUnanswerable())) {
        evaluable.add(q);
      } else {
        skip++;
      }
    }
    if (evaluable.isEmpty()) {
      throw new IllegalArgumentException(data.folder().resolve("qrels").resolve(data.split() + ".tsv")
          + ": no usable qrels: none of the " + data.queries().size() + " queries with judgments has a relevance >= 1"
          + (config.skipUnanswerable() ? " for a document in corpus.jsonl" : "") + ", so no retrieval score is defined");
    }
    this.queryIds = evaluable;
    this.skipped = skip;
    this.unanswerable = missing;
  }

  @Override
  public EvaluationTask task() {
    return EvaluationTask.RETRIEVAL;
  }

  @Override
  public String name() {
    return "retrieval " + data.folder() + " (" + data.split() + ")";
  }

  @Override
  public EvaluationResult evaluate(Embedder embedder, ProgressListener progress) {
    long start = System.nanoTime();
    List<String> queryTexts = new ArrayList<>(queryIds.size());
    for (String q : queryIds) {
      queryTexts.add(data.queries().get(q));
    }
    Embedding embedding = new Embedding(embedder, progress,
        (long) Embedding.distinct(docTexts) + Embedding.distinct(queryTexts));
    float[][] docs = Vectors.normalizedRows(embedding.embed(docTexts, Prompt.none()));
    float[][] queries = Vectors.normalizedRows(embedding.embed(queryTexts, config.queryPromptFor(embedder)));
    SearchResults hits = queries.length == 0 || docs.length == 0 ? null
        : VectorIndexes.exact(docs, search).search(queries, Math.min(config.topK(), docs.length));

    int[] ks = RetrievalMetrics.K_VALUES;
    Map<String, double[][]> sums = new LinkedHashMap<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    double[][] total = new double[RetrievalMetrics.NAMES.length][ks.length];
    for (int qi = 0; qi < queryIds.size(); qi++) {
      String q = queryIds.get(qi);
      Map<String, Integer> judgments = data.qrels().get(q); // present: evaluable queries have judgments
      int[] ranked = ranked(q, hits, qi, judgments);
      int[] judged = judgments.values().stream().mapToInt(Integer::intValue).toArray();
      double[][] m = RetrievalMetrics.compute(ranked, judged, ks);
      add(total, m);
      String lang = data.extras().getOrDefault(q, ImmutableMap.of()).get("lang");
      if (lang != null) {
        add(sums.computeIfAbsent(lang, l -> new double[RetrievalMetrics.NAMES.length][ks.length]), m);
        counts.merge(lang, 1L, Long::sum);
      }
    }
    ImmutableMap.Builder<String, ImmutableMap<String, Double>> subsets = ImmutableMap.builder();
    sums.forEach((lang, s) -> subsets.put(lang, scores(s, counts.get(lang))));
    ImmutableMap<String, Long> countMap = ImmutableMap.of("queries", (long) queryIds.size(),
        "skipped_queries", (long) skipped, "queries_without_relevant_documents", (long) unanswerable,
        "documents", (long) docIds.length);
    return new EvaluationResult(EvaluationTask.RETRIEVAL, data.folder().toString(), data.split(), "ndcg_at_10",
        scores(total, queryIds.size()), subsets.buildOrThrow(), countMap, (System.nanoTime() - start) / 1e9);
  }

  /** Grades of the retrieved documents in rank order, the query's own id dropped when so configured. */
  private int[] ranked(String queryId, SearchResults hits, int query, Map<String, Integer> judgments) {
    if (hits == null) {
      return new int[0];
    }
    int[] grades = new int[hits.count(query)];
    int n = 0;
    for (int r = 0; r < grades.length; r++) {
      String doc = docIds[hits.id(query, r)];
      if (config.ignoreIdenticalIds() && doc.equals(queryId)) {
        continue;
      }
      grades[n++] = judgments.getOrDefault(doc, 0);
    }
    return Arrays.copyOf(grades, n);
  }

  private static void add(double[][] sum, double[][] m) {
    for (int f = 0; f < sum.length; f++) {
      for (int c = 0; c < sum[f].length; c++) {
        sum[f][c] += m[f][c];
      }
    }
  }

  private static ImmutableMap<String, Double> scores(double[][] sum, long n) {
    ImmutableMap.Builder<String, Double> b = ImmutableMap.builder();
    for (int f = 0; f < RetrievalMetrics.NAMES.length; f++) {
      for (int c = 0; c < RetrievalMetrics.K_VALUES.length; c++) {
        b.put(RetrievalMetrics.NAMES[f] + "_at_" + RetrievalMetrics.K_VALUES[c], n == 0 ? Double.NaN : sum[f][c] / n);
      }
    }
    return b.buildOrThrow();
  }
}
