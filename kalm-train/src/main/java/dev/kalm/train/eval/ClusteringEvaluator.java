package dev.kalm.train.eval;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.progress.ProgressListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Clustering as MTEB's {@code ClusteringEvaluator}: k-means on the embeddings with k = the number of
 * distinct labels, scored by V-measure against the labels (sklearn's {@code v_measure_score}). MTEB uses
 * one {@code MiniBatchKMeans} run; here full k-means with {@code clusteringRestarts} k-means++ restarts,
 * best inertia kept. Texts are query-side (they get the query prompt).
 */
final class ClusteringEvaluator implements Evaluator {
  private final Path file;
  private final String split;
  private final EvaluationConfig config;
  private final ImmutableList<LabelledText> texts;
  private final int[] truth;
  private final int labels;

  ClusteringEvaluator(Path file, String split, EvaluationConfig config) {
    this.file = file;
    this.split = split;
    this.config = config;
    this.texts = ImmutableList.copyOf(Readers.readAll(file, LabelledText::parse));
    Map<String, Integer> ids = new HashMap<>();
    this.truth = new int[texts.size()];
    for (int i = 0; i < truth.length; i++) {
      truth[i] = ids.computeIfAbsent(texts.get(i).label(), l -> ids.size());
    }
    this.labels = ids.size();
    if (texts.isEmpty()) {
      throw Readers.fileError(file, "no texts to cluster");
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
    int[] clusters = KMeans.cluster(vectors, labels, config.clusteringRestarts(), config.seed());
    Metrics.ClusterScores s = Metrics.clusterScores(truth, clusters);
    ImmutableMap<String, Double> scores = ImmutableMap.of(
        "v_measure", s.vMeasure(), "homogeneity", s.homogeneity(), "completeness", s.completeness());
    return new EvaluationResult(EvaluationTask.CLUSTERING, file.toString(), split, "v_measure", scores,
        ImmutableMap.of(), ImmutableMap.of("texts", (long) texts.size(), "labels", (long) labels),
        (System.nanoTime() - start) / 1e9);
  }
}
