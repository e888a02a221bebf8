package dev.kalm.train.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.Prompt;
import org.jspecify.annotations.Nullable;

/**
 * Options of the evaluators. Immutable; build with {@link #builder()}. Each evaluator reads the options
 * that concern it and ignores the others.
 *
 * @param queryPrompt prompt for query-side texts (retrieval and reranking queries, classification and
 *     clustering texts), or null for the embedder's configured prompt ({@link Embedder#config()}); documents,
 *     STS, pair-classification and bitext texts never get a prompt
 * @param topK retrieval depth per query, as MTEB's {@code top_k} (1000); capped at the corpus size
 * @param skipUnanswerable retrieval, default false: leave out a query none of whose relevant documents is in
 *     the corpus instead of scoring it 0 (pytrec_eval and MTEB score it 0); counted either way
 * @param ignoreIdenticalIds retrieval, default false: drop a retrieved document whose id equals the query
 *     id (MTEB's {@code ignore_identical_ids}, for ArguAna-style data sets whose queries are also documents)
 * @param bitextDirection which side of a bitext pair searches the other
 * @param experiments classification: number of undersampled training sets, as MTEB's {@code n_experiments}
 * @param samplesPerLabel classification: training examples per label in each experiment, as MTEB's
 *     {@code samples_per_label}; {@value #AUTO_SAMPLES_PER_LABEL} (the default) for the data set's own size
 *     (the {@code samples_per_label} of a {@code task.json} beside the test file, as each MTEB task declares
 *     its own), else MTEB's default {@value #DEFAULT_SAMPLES_PER_LABEL}
 * @param maxIterations classification: L-BFGS iterations of the logistic regression, as sklearn's
 *     {@code max_iter} in MTEB
 * @param clustering clustering: MTEB 2.x's bootstrap (default) or k-means on the full set
 * @param clusteringRestarts clustering with {@link ClusteringMode#FULL_SET}: k-means runs with different seeds, best inertia kept (sklearn's
 *     {@code n_init})
 * @param seed seed of every random choice (undersampling, k-means++); equal seeds give equal results
 */
public record EvaluationConfig(
    @Nullable Prompt queryPrompt,
    int topK,
    boolean skipUnanswerable,
    boolean ignoreIdenticalIds,
    BitextDirection bitextDirection,
    int experiments,
    int samplesPerLabel,
    int maxIterations,
    ClusteringMode clustering,
    int clusteringRestarts,
    long seed) {

  public static final int DEFAULT_TOP_K = 1000;
  public static final int DEFAULT_EXPERIMENTS = 10;
  public static final int DEFAULT_SAMPLES_PER_LABEL = 8;
  /** {@link #samplesPerLabel()}: take the data set's own size, else {@link #DEFAULT_SAMPLES_PER_LABEL}. */
  public static final int AUTO_SAMPLES_PER_LABEL = 0;
  public static final int DEFAULT_MAX_ITERATIONS = 100;
  public static final int DEFAULT_CLUSTERING_RESTARTS = 10;
  public static final long DEFAULT_SEED = 42;

  /** @throws IllegalArgumentException naming a value out of range */
  public EvaluationConfig {
    checkArgument(topK >= 1, "topK must be >= 1, got %s", topK);
    checkNotNull(bitextDirection, "bitextDirection");
    checkArgument(experiments >= 1, "experiments must be >= 1, got %s", experiments);
    checkArgument(samplesPerLabel >= 0, "samplesPerLabel must be >= 0 (0: the data set's own), got %s",
        samplesPerLabel);
    checkArgument(maxIterations >= 1, "maxIterations must be >= 1, got %s", maxIterations);
    checkNotNull(clustering, "clustering");
    checkArgument(clusteringRestarts >= 1, "clusteringRestarts must be >= 1, got %s", clusteringRestarts);
  }

  /** MTEB's defaults: top 1000, identical ids kept, forward bitext, 10 experiments of 8 per label, 100 iterations. */
  public static EvaluationConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder initialised with this config's values. */
  public Builder toBuilder() {
    return builder().queryPrompt(queryPrompt).topK(topK).skipUnanswerable(skipUnanswerable)
        .ignoreIdenticalIds(ignoreIdenticalIds)
        .bitextDirection(bitextDirection).experiments(experiments).samplesPerLabel(samplesPerLabel)
        .maxIterations(maxIterations).clustering(clustering).clusteringRestarts(clusteringRestarts).seed(seed);
  }

  /** The prompt for query-side texts: {@link #queryPrompt()} when set, else the embedder's configured prompt. */
  Prompt queryPromptFor(Embedder embedder) {
    return queryPrompt != null ? queryPrompt : embedder.config().effectivePrompt();
  }

  /** Builder for {@link EvaluationConfig}; every setter is optional. Not thread-safe. */
  public static final class Builder {
    private Prompt queryPrompt;
    private int topK = DEFAULT_TOP_K;
    private boolean skipUnanswerable;
    private boolean ignoreIdenticalIds;
    private BitextDirection bitextDirection = BitextDirection.FORWARD;
    private int experiments = DEFAULT_EXPERIMENTS;
    private int samplesPerLabel = AUTO_SAMPLES_PER_LABEL;
    private int maxIterations = DEFAULT_MAX_ITERATIONS;
    private ClusteringMode clustering = ClusteringMode.BOOTSTRAP;
    private int clusteringRestarts = DEFAULT_CLUSTERING_RESTARTS;
    private long seed = DEFAULT_SEED;

    private Builder() {}

    public Builder queryPrompt(@Nullable Prompt queryPrompt) { this.queryPrompt = queryPrompt; return this; }
    public Builder topK(int topK) { this.topK = topK; return this; }
    public Builder skipUnanswerable(boolean skip) { this.skipUnanswerable = skip; return this; }
    public Builder ignoreIdenticalIds(boolean ignore) { this.ignoreIdenticalIds = ignore; return this; }
    public Builder bitextDirection(BitextDirection direction) { this.bitextDirection = direction; return this; }
    public Builder experiments(int experiments) { this.experiments = experiments; return this; }
    public Builder samplesPerLabel(int samplesPerLabel) { this.samplesPerLabel = samplesPerLabel; return this; }
    public Builder maxIterations(int maxIterations) { this.maxIterations = maxIterations; return this; }
    public Builder clustering(ClusteringMode mode) { this.clustering = mode; return this; }
    public Builder clusteringRestarts(int restarts) { this.clusteringRestarts = restarts; return this; }
    public Builder seed(long seed) { this.seed = seed; return this; }

    /** @throws IllegalArgumentException naming a value out of range */
    public EvaluationConfig build() {
      return new EvaluationConfig(queryPrompt, topK, skipUnanswerable, ignoreIdenticalIds, bitextDirection,
          experiments, samplesPerLabel, maxIterations, clustering, clusteringRestarts, seed);
    }
  }
}
