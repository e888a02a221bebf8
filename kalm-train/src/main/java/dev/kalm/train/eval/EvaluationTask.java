package dev.kalm.train.eval;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The kinds of evaluation, each mirroring an MTEB task type. See {@code docs/eval.md} for formats and metrics. */
public enum EvaluationTask {
  /** BEIR folder; nDCG/MAP/recall/precision/MRR at cut-offs as pytrec_eval and MTEB compute them. Main: nDCG@10. */
  RETRIEVAL("retrieval"),
  /** Parallel sentences; nearest-neighbour matching accuracy and weighted precision/recall/F1. Main: F1. */
  BITEXT("bitext"),
  /** Sentence pairs with a gold score; Pearson and Spearman of the cosine similarity. Main: cosine Spearman. */
  STS("sts"),
  /** Sentence pairs labelled 0/1; average precision and best-threshold accuracy/F1. Main: max AP. */
  PAIR_CLASSIFICATION("pair"),
  /** Texts with labels; logistic regression on embeddings over undersampled training sets. Main: accuracy. */
  CLASSIFICATION("classification"),
  /** Texts with labels; k-means with k = number of labels. Main: V-measure. */
  CLUSTERING("clustering"),
  /** A query with positive and negative candidates; MAP and MRR@10. Main: MAP. */
  RERANKING("reranking");

  private final String cliName;

  EvaluationTask(String cliName) {
    this.cliName = cliName;
  }

  /** The short lowercase name used on the command line and in result files, e.g. {@code "pair"}. */
  public String cliName() {
    return cliName;
  }

  /**
   * Parses a short name ({@code retrieval|bitext|sts|pair|classification|clustering|reranking}),
   * case-insensitive; {@code pair-classification} and {@code pair_classification} are accepted too.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static EvaluationTask parse(String name) {
    String key = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    if (key.equals("pair-classification")) {
      return PAIR_CLASSIFICATION;
    }
    for (EvaluationTask task : values()) {
      if (task.cliName.equals(key)) {
        return task;
      }
    }
    throw new IllegalArgumentException("task must be one of "
        + Arrays.stream(values()).map(EvaluationTask::cliName).collect(Collectors.joining(", "))
        + "; got '" + name + "'");
  }
}
