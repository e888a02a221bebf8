package dev.kalm.train.eval;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.progress.ProgressListener;
import java.nio.file.Path;
import java.util.List;

/**
 * Semantic textual similarity as MTEB's {@code STSEvaluator}: Pearson and Spearman correlation between the
 * gold scores and the cosine similarity (and the negated Manhattan and Euclidean distances) of the two
 * sentences' embeddings. No prompt on either side.
 */
final class StsEvaluator implements Evaluator {
  private record Pair(String sentence1, String sentence2, double score) {}

  private final Path file;
  private final String split;
  private final ImmutableList<Pair> pairs;

  StsEvaluator(Path file, String split) {
    this.file = file;
    this.split = split;
    this.pairs = ImmutableList.copyOf(Readers.readAll(file,
        (JsonLine l) -> new Pair(l.string("sentence1"), l.string("sentence2"), l.number("score"))));
    if (pairs.size() < 2) {
      throw Readers.fileError(file, "STS needs at least 2 sentence pairs, got " + pairs.size());
    }
  }

  @Override
  public EvaluationTask task() {
    return EvaluationTask.STS;
  }

  @Override
  public String name() {
    return "sts " + file + " (" + split + ")";
  }

  @Override
  public EvaluationResult evaluate(Embedder embedder, ProgressListener progress) {
    long start = System.nanoTime();
    int n = pairs.size();
    float[][] v = Embedding.pairs(embedder, progress, pairs, Pair::sentence1, Pair::sentence2);
    double[] gold = new double[n];
    double[] cosine = new double[n];
    double[] manhattan = new double[n];
    double[] euclidean = new double[n];
    for (int i = 0; i < n; i++) {
      gold[i] = pairs.get(i).score();
      cosine[i] = Vectors.cosine(v[i], v[n + i]);
      manhattan[i] = -Vectors.manhattan(v[i], v[n + i]);
      euclidean[i] = -Vectors.euclidean(v[i], v[n + i]);
    }
    double cosinePearson = Metrics.pearson(gold, cosine);
    double cosineSpearman = Metrics.spearman(gold, cosine);
    ImmutableMap<String, Double> scores = ImmutableMap.<String, Double>builder()
        .put("pearson", cosinePearson)
        .put("spearman", cosineSpearman)
        .put("cosine_pearson", cosinePearson)
        .put("cosine_spearman", cosineSpearman)
        .put("manhattan_pearson", Metrics.pearson(gold, manhattan))
        .put("manhattan_spearman", Metrics.spearman(gold, manhattan))
        .put("euclidean_pearson", Metrics.pearson(gold, euclidean))
        .put("euclidean_spearman", Metrics.spearman(gold, euclidean))
        .buildOrThrow();
    return new EvaluationResult(EvaluationTask.STS, file.toString(), split, "cosine_spearman", scores,
        ImmutableMap.of(), ImmutableMap.of("pairs", (long) n), (System.nanoTime() - start) / 1e9);
  }
}
