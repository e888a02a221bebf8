package dev.kalm.train.eval;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.progress.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Clustering scored by V-measure (sklearn's {@code v_measure_score}) of k-means with k = the number of
 * distinct labels. {@link ClusteringMode#BOOTSTRAP} (default) as MTEB 2.x's {@code AbsTaskClustering}
 * ({@code mteb/abstasks/clustering.py}): {@value #BOOTSTRAP_SAMPLES} samples of {@value #BOOTSTRAP_SIZE}
 * draws with replacement ({@code rng.choices}), one k-means++ run each, V-measure of each sample against
 * its labels, averaged; texts with a {@code set} field form sets scored one by one (k-means on the whole
 * set; a set with one label scores 1) and averaged over sets, as MTEB's multi-set (legacy) tasks.
 * {@link ClusteringMode#FULL_SET}: k-means with {@code clusteringRestarts} restarts (best inertia) on all
 * texts (per set when given). Texts are query-side (they get the query prompt).
 */
final class ClusteringEvaluator implements Evaluator {
  /** MTEB 2.x's {@code n_clusters}: bootstrap samples per data set. */
  static final int BOOTSTRAP_SAMPLES = 10;
  /** MTEB 2.x's {@code max_documents_per_cluster}: draws per bootstrap sample. */
  static final int BOOTSTRAP_SIZE = 16_384;

  private final Path file;
  private final String split;
  private final EvaluationConfig config;
  private final ImmutableList<ClusterText> texts;
  /** Text indices per set, in first-seen order; one group of every text when no line names a set. */
  private final ImmutableList<int[]> sets;
  private final boolean hasSets;

  ClusteringEvaluator(Path file, String split, EvaluationConfig config) {
    this.file = file;
    this.split = split;
    this.config = config;
    this.texts = ImmutableList.copyOf(Readers.readAll(file, ClusterText::parse));
    if (texts.isEmpty()) {
      throw Readers.fileError(file, "no texts to cluster");
    }
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    boolean any = false;
    for (int i = 0; i < texts.size(); i++) {
      String set = texts.get(i).set();
      any |= set != null;
      groups.computeIfAbsent(set == null ? "" : set, s -> new ArrayList<>()).add(i);
    }
    this.hasSets = any;
    this.sets = groups.values().stream().map(g -> g.stream().mapToInt(Integer::intValue).toArray())
        .collect(ImmutableList.toImmutableList());
  }

  /** One line: {@code {"text", "label"}} and an optional {@code set} (string or number). */
  record ClusterText(String text, String label, @Nullable String set) {
    static ClusterText parse(JsonLine l) {
      return new ClusterText(l.string("text"), Readers.label(l, "label"), l.has("set") ? Readers.label(l, "set") : null);
    }
  }

  @Override
  public EvaluationTask task() {
    return EvaluationTask.CLUSTERING;
  }

  @Override
  public String name() {
    return "clustering " + file + " (" + split + ")";
  }

  @Override
  public EvaluationResult evaluate(Embedder embedder, ProgressListener progress) {
    long start = System.nanoTime();
    List<String> input = new ArrayList<>(texts.size());
    texts.forEach(t -> input.add(t.text()));
    Embedding embedding = new Embedding(embedder, progress, Embedding.distinct(input));
    float[][] vectors = embedding.embed(input, config.queryPromptFor(embedder));

    List<Metrics.ClusterScores> runs = new ArrayList<>();
    boolean bootstrap = config.clustering() == ClusteringMode.BOOTSTRAP;
    for (int[] set : sets) {
      float[][] x = new float[set.length][];
      int[] truth = labels(set, x, vectors);
      int k = (int) java.util.Arrays.stream(truth).distinct().count();
      if (bootstrap && !hasSets) {
        runs.addAll(bootstrapScores(x, truth, k));
      } else if (bootstrap && k <= 1) {
        runs.add(new Metrics.ClusterScores(1, 1, 1)); // MTEB: a one-label set scores 1 without clustering
      } else {
        int[] clusters = KMeans.cluster(x, k, bootstrap ? 1 : config.clusteringRestarts(), config.seed());
        runs.add(Metrics.clusterScores(truth, clusters));
      }
    }
    double[] v = runs.stream().mapToDouble(Metrics.ClusterScores::vMeasure).toArray();
    double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
    ImmutableMap.Builder<String, Double> scores = ImmutableMap.<String, Double>builder()
        .put("v_measure", mean)
        .put("homogeneity", runs.stream().mapToDouble(Metrics.ClusterScores::homogeneity).average().orElse(Double.NaN))
        .put("completeness", runs.stream().mapToDouble(Metrics.ClusterScores::completeness).average().orElse(Double.NaN));
    if (runs.size() > 1) {
      scores.put("v_measure_std", Math.sqrt(java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length));
    }
    long labelCount = texts.stream().map(ClusterText::label).distinct().count();
    ImmutableMap.Builder<String, Long> counts = ImmutableMap.<String, Long>builder()
        .put("texts", (long) texts.size()).put("labels", labelCount);
    if (hasSets) {
      counts.put("sets", (long) sets.size());
    } else if (bootstrap) {
      counts.put("bootstrap_samples", (long) BOOTSTRAP_SAMPLES).put("bootstrap_size", (long) BOOTSTRAP_SIZE);
    }
    return new EvaluationResult(EvaluationTask.CLUSTERING, file.toString(), split, "v_measure", scores.buildOrThrow(),
        ImmutableMap.of(), counts.buildOrThrow(), (System.nanoTime() - start) / 1e9);
  }

  /** Label ids of a set's texts (first-seen order) and their vectors into {@code x}. */
  private int[] labels(int[] set, float[][] x, float[][] vectors) {
    Map<String, Integer> ids = new HashMap<>();
    int[] truth = new int[set.length];
    for (int j = 0; j < set.length; j++) {
      x[j] = vectors[set[j]];
      truth[j] = ids.computeIfAbsent(texts.get(set[j]).label(), l -> ids.size());
    }
    return truth;
  }

  /**
   * MTEB 2.x's bootstrap: per sample, {@value #BOOTSTRAP_SIZE} indices drawn uniformly with replacement,
   * k-means (one k-means++ run, k = the labels of the whole set, at most the distinct rows drawn) on the
   * drawn rows, V-measure over the draws. The draws are clustered as their distinct rows weighted by
   * multiplicity: the same clustering, at the cost of at most {@code min(n, 16384)} rows.
   */
  private List<Metrics.ClusterScores> bootstrapScores(float[][] x, int[] truth, int k) {
    Random random = new Random(config.seed());
    List<Metrics.ClusterScores> out = new ArrayList<>(BOOTSTRAP_SAMPLES);
    for (int s = 0; s < BOOTSTRAP_SAMPLES; s++) {
      int[] draws = new int[BOOTSTRAP_SIZE];
      int[] multiplicity = new int[x.length];
      for (int d = 0; d < draws.length; d++) {
        draws[d] = random.nextInt(x.length);
        multiplicity[draws[d]]++;
      }
      int[] rowOf = new int[x.length];
      int distinct = 0;
      for (int i = 0; i < x.length; i++) {
        rowOf[i] = multiplicity[i] > 0 ? distinct++ : -1;
      }
      float[][] rows = new float[distinct][];
      int[] weights = new int[distinct];
      for (int i = 0; i < x.length; i++) {
        if (rowOf[i] >= 0) {
          rows[rowOf[i]] = x[i];
          weights[rowOf[i]] = multiplicity[i];
        }
      }
      int[] clusters = KMeans.cluster(rows, weights, Math.min(k, distinct), 1, config.seed());
      int[] sampleTruth = new int[draws.length];
      int[] sampleClusters = new int[draws.length];
      for (int d = 0; d < draws.length; d++) {
        sampleTruth[d] = truth[draws[d]];
        sampleClusters[d] = clusters[rowOf[draws[d]]];
      }
      out.add(Metrics.clusterScores(sampleTruth, sampleClusters));
    }
    return out;
  }
}
