package dev.kalm.train.eval;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.search.SearchConfig;
import dev.kalm.data.search.SearchResults;
import dev.kalm.data.search.VectorIndexes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bitext mining as MTEB's {@code BitextMiningEvaluator}: for each source sentence, the target sentence
 * with the highest cosine similarity among all targets of its subset (lowest index on ties); gold is
 * pair {@code (i, i)}; accuracy and sklearn's precision/recall/F1 with {@code average="weighted"} over
 * the target indices. Subsets (languages) are scored separately and averaged.
 */
final class BitextEvaluator implements Evaluator {
  /** One line: its subset, its source-side ("left") and target-side ("right") sentence. */
  private record Pair(String group, boolean languageLayout, String left, String right) {}

  private final Path file;
  private final String split;
  private final EvaluationConfig config;
  private final SearchConfig search;
  private final ImmutableList<Pair> pairs;

  BitextEvaluator(Path file, String split, EvaluationConfig config, SearchConfig search) {
    this.file = file;
    this.split = split;
    this.config = config;
    this.search = search;
    this.pairs = ImmutableList.copyOf(Readers.readAll(file, BitextEvaluator::parse));
    if (pairs.isEmpty()) {
      throw Readers.fileError(file, "no sentence pairs");
    }
  }

  private static Pair parse(JsonLine l) {
    if (l.has("sentence1") || l.has("sentence2")) {
      return new Pair(l.optString("lang", ""), false, l.string("sentence1"), l.string("sentence2"));
    }
    return new Pair(l.string("lang"), true, l.string("xx"), l.string("en"));
  }

  @Override
  public EvaluationTask task() {
    return EvaluationTask.BITEXT;
  }

  @Override
  public String name() {
    return "bitext " + file + " (" + split + ")";
  }

  @Override
  public EvaluationResult evaluate(Embedder embedder, ProgressListener progress) {
    long start = System.nanoTime();
    List<String> lefts = new ArrayList<>(pairs.size());
    List<String> rights = new ArrayList<>(pairs.size());
    for (Pair p : pairs) {
      lefts.add(p.left());
      rights.add(p.right());
    }
    List<String> all = new ArrayList<>(lefts);
    all.addAll(rights);
    Embedding embedding = new Embedding(embedder, progress, Embedding.distinct(all));
    float[][] vectors = Vectors.normalizedRows(embedding.embed(all, Prompt.none()));

    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < pairs.size(); i++) {
      Pair p = pairs.get(i);
      groups.computeIfAbsent(p.group() + (p.languageLayout() ? "\u0000L" : ""), g -> new ArrayList<>()).add(i);
    }
    ImmutableMap.Builder<String, ImmutableMap<String, Double>> subsets = ImmutableMap.builder();
    double[] sums = new double[4];
    int count = 0;
    for (List<Integer> rows : groups.values()) {
      Pair first = pairs.get(rows.get(0));
      float[][] left = new float[rows.size()][];
      float[][] right = new float[rows.size()][];
      for (int j = 0; j < rows.size(); j++) {
        left[j] = vectors[rows.get(j)];
        right[j] = vectors[pairs.size() + rows.get(j)];
      }
      if (config.bitextDirection() != BitextDirection.BACKWARD) {
        ImmutableMap<String, Double> s = mine(left, right);
        subsets.put(subsetName(first, true), s);
        accumulate(sums, s);
        count++;
      }
      if (config.bitextDirection() != BitextDirection.FORWARD) {
        ImmutableMap<String, Double> s = mine(right, left);
        subsets.put(subsetName(first, false), s);
        accumulate(sums, s);
        count++;
      }
    }
    ImmutableMap<String, Double> mean = ImmutableMap.of("precision", sums[0] / count, "recall", sums[1] / count,
        "f1", sums[2] / count, "accuracy", sums[3] / count);
    return new EvaluationResult(EvaluationTask.BITEXT, file.toString(), split, "f1", mean, subsets.buildOrThrow(),
        ImmutableMap.of("pairs", (long) pairs.size(), "subsets", (long) count), (System.nanoTime() - start) / 1e9);
  }

  /** {@code xx-en} / {@code en-xx} for the language layout; {@code [group:]sentence1-sentence2} or reversed otherwise. */
  private static String subsetName(Pair p, boolean forward) {
    if (p.languageLayout()) {
      return forward ? p.group() + "-en" : "en-" + p.group();
    }
    String pair = forward ? "sentence1-sentence2" : "sentence2-sentence1";
    return p.group().isEmpty() ? pair : p.group() + ":" + pair;
  }

  private ImmutableMap<String, Double> mine(float[][] sources, float[][] targets) {
    SearchResults hits = VectorIndexes.exact(targets, search).search(sources, 1);
    int[] truth = new int[sources.length];
    int[] predicted = new int[sources.length];
    for (int i = 0; i < sources.length; i++) {
      truth[i] = i;
      predicted[i] = hits.id(i, 0);
    }
    Metrics.LabelScores s = Metrics.labelScores(truth, predicted);
    return ImmutableMap.of("precision", s.weightedPrecision(), "recall", s.weightedRecall(),
        "f1", s.weightedF1(), "accuracy", s.accuracy());
  }

  private static void accumulate(double[] sums, Map<String, Double> s) {
    sums[0] += s.get("precision");
    sums[1] += s.get("recall");
    sums[2] += s.get("f1");
    sums[3] += s.get("accuracy");
  }
}
