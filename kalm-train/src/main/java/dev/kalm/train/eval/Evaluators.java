package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kalm.core.jsonl.JsonLinesException;
import dev.kalm.data.beir.BeirDataset;
import dev.kalm.data.search.SearchConfig;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Factories of {@link Evaluator}s, one per MTEB task type. Each reads and validates its data at once.
 *
 * <p>File-based tasks take {@code data} as either a JSON Lines file or a folder holding {@code
 * <split>.jsonl} (or {@code <split>.jsonl.gz}); {@code split} names the split in results. Formats (one
 * JSON object per line):
 * <ul>
 *   <li>retrieval: a BEIR folder ({@code corpus.jsonl}, {@code queries.jsonl}, {@code qrels/<split>.tsv});
 *   <li>bitext: {@code {"lang", "en", "xx"}} or {@code {"sentence1", "sentence2"}} (optional {@code lang});
 *   <li>STS: {@code {"sentence1", "sentence2", "score"}};
 *   <li>pair classification: {@code {"sentence1", "sentence2", "label"}} with label 0 or 1;
 *   <li>classification and clustering: {@code {"text", "label"}} (label a string or a number);
 *   <li>reranking: {@code {"query", "positive": [...], "negative": [...]}} (query a string or a list).
 * </ul>
 *
 * <p>All factories throw {@link IllegalArgumentException} for a missing file or folder or an unusable data
 * set (naming it), {@link JsonLinesException} for a bad line (naming file, line and field) and {@link
 * UncheckedIOException} when a file cannot be read.
 */
public final class Evaluators {
  private Evaluators() {}

  /** Retrieval on a loaded BEIR data set. */
  public static Evaluator retrieval(BeirDataset data, EvaluationConfig config) {
    return new RetrievalEvaluator(checkNotNull(data, "data"), checkNotNull(config, "config"), SearchConfig.deterministic());
  }

  /** Retrieval on a BEIR folder and split (loaded with {@link BeirDataset#load}). */
  public static Evaluator retrieval(Path folder, String split, EvaluationConfig config) {
    return retrieval(BeirDataset.load(folder, split), config);
  }

  /** Bitext mining; direction from {@link EvaluationConfig#bitextDirection()}. */
  public static Evaluator bitext(Path data, String split, EvaluationConfig config) {
    return new BitextEvaluator(resolve(data, split), split, checkNotNull(config, "config"), SearchConfig.deterministic());
  }

  /** Semantic textual similarity. */
  public static Evaluator sts(Path data, String split) {
    return new StsEvaluator(resolve(data, split), split);
  }

  /** Pair classification. */
  public static Evaluator pairClassification(Path data, String split) {
    return new PairClassificationEvaluator(resolve(data, split), split);
  }

  /**
   * Classification with a logistic regression on undersampled training sets.
   *
   * @param data the test file, or a folder with {@code <split>.jsonl} (and {@code train.jsonl})
   * @param train the training file, or null for {@code train.jsonl} beside the test data
   */
  public static Evaluator classification(Path data, String split, @Nullable Path train, EvaluationConfig config) {
    Path test = resolve(data, split);
    Path trainFile = train != null ? train
        : resolve(Files.isDirectory(data) ? data : data.toAbsolutePath().getParent(), "train");
    checkArgument(Files.isRegularFile(trainFile), "training file %s does not exist", trainFile);
    return new ClassificationEvaluator(trainFile, test, split, checkNotNull(config, "config"));
  }

  /** Clustering with k-means, k = number of labels. */
  public static Evaluator clustering(Path data, String split, EvaluationConfig config) {
    return new ClusteringEvaluator(resolve(data, split), split, checkNotNull(config, "config"));
  }

  /** Reranking of given positive and negative candidates. */
  public static Evaluator reranking(Path data, String split, EvaluationConfig config) {
    return new RerankingEvaluator(resolve(data, split), split, checkNotNull(config, "config"));
  }

  /**
   * The evaluator for {@code task} (what {@code ./kalm eval} uses).
   *
   * @param train classification only: the training file, or null for {@code train.jsonl} beside the data
   */
  public static Evaluator create(EvaluationTask task, Path data, String split, @Nullable Path train,
      EvaluationConfig config) {
    checkNotNull(task, "task");
    checkArgument(train == null || task == EvaluationTask.CLASSIFICATION,
        "a training file is only used by classification, not %s", task.cliName());
    switch (task) {
      case RETRIEVAL: return retrieval(data, split, config);
      case BITEXT: return bitext(data, split, config);
      case STS: return sts(data, split);
      case PAIR_CLASSIFICATION: return pairClassification(data, split);
      case CLASSIFICATION: return classification(data, split, train, config);
      case CLUSTERING: return clustering(data, split, config);
      case RERANKING: return reranking(data, split, config);
      default: throw new AssertionError(task);
    }
  }

  /** {@code data} itself when it is a file, else {@code data/<split>.jsonl} or {@code data/<split>.jsonl.gz}. */
  static Path resolve(Path data, String split) {
    checkNotNull(data, "data");
    checkNotNull(split, "split");
    if (Files.isRegularFile(data)) {
      return data;
    }
    checkArgument(Files.isDirectory(data), "data %s does not exist", data);
    for (String name : new String[] {split + ".jsonl", split + ".jsonl.gz"}) {
      Path file = data.resolve(name);
      if (Files.isRegularFile(file)) {
        return file;
      }
    }
    throw new IllegalArgumentException("folder " + data + " has no " + split + ".jsonl");
  }
}
