package dev.kalm.train.eval;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.progress.ProgressListener;

/**
 * Scores an {@link Embedder} on one data set the way MTEB would (see {@code docs/eval.md} for each task's
 * metrics and how they match MTEB). Create with {@link Evaluators}.
 *
 * <p>Contract: the data is read and validated when the evaluator is created, so {@link #evaluate} only
 * embeds and scores and can be called many times (e.g. every N training steps). Results are deterministic
 * for a given embedder and {@link EvaluationConfig#seed()}. The evaluator never closes the embedder.
 * Evaluators are immutable and safe to share between threads; one call to {@link #evaluate} uses the
 * common fork-join pool for the similarity search.
 *
 * <pre>{@code
 * Evaluator eval = Evaluators.retrieval(Path.of("data/scifact"), "test", EvaluationConfig.defaults());
 * EvaluationResult r = eval.evaluate(embedder);
 * System.out.println(r.mainScoreName() + " = " + r.mainScore()); // ndcg_at_10 = 0.71...
 * }</pre>
 */
public interface Evaluator {

  /** The kind of evaluation. */
  EvaluationTask task();

  /** A short human-readable name: the task and the data, e.g. {@code "retrieval data/scifact (test)"}. */
  String name();

  /** Evaluates without progress reports. */
  default EvaluationResult evaluate(Embedder embedder) {
    return evaluate(embedder, ProgressListener.NONE);
  }

  /**
   * Embeds the data with {@code embedder} and computes the scores.
   *
   * @param progress receives the number of texts embedded so far and the total
   * @throws IllegalArgumentException when the embedder returns vectors of inconsistent size
   */
  EvaluationResult evaluate(Embedder embedder, ProgressListener progress);
}
