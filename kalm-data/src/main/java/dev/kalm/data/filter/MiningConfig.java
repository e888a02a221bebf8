package dev.kalm.data.filter;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import dev.kalm.core.embed.Prompt;
import dev.kalm.data.search.SearchConfig;
import java.util.List;

/**
 * Settings of ranking-consistency filtering and hard-negative mining
 * ({@link DataFilters#rankingConsistency}). Immutable; build with {@link #builder()}. Defaults are
 * KaLM's: filter top-k 50, negatives sampled from ranks [50, 100), 7 negatives.
 *
 * @param filter drop examples whose best positive ranks below {@code filterTopK}
 * @param mine fill each kept example's negatives up to {@code negatives}
 * @param filterTopK the 0-based rank whose score a positive must reach (KaLM {@code filter_topk}), &gt;= 0
 * @param rangeMin first 0-based rank negatives are sampled from (inclusive), &gt;= 0
 * @param rangeMax last rank negatives are sampled from (exclusive); also the retrieval depth; &gt; rangeMin
 * @param negatives hard negatives per kept example, &gt;= 0
 * @param existingNegatives keep an example's own negatives first (KaLM) or replace them (FlagEmbedding)
 * @param queryPrompt the prompt put before queries without their own instruction (documents get none)
 * @param exampleInstructions embed a query that has an {@link dev.kalm.data.example.TrainingExample#instruction()}
 *     with {@link Prompt#instruction} of it instead of {@code queryPrompt}
 * @param seed the seed of negative sampling; the same seed and input give the same output
 * @param recordScores write the teacher's scores of the kept examples' positives and negatives into
 *     {@code pos_scores} / {@code neg_scores}
 * @param corpus the candidate pool; empty for the default pool: every positive and negative of the
 *     input, deduplicated
 * @param search block sizes and device of the exact vector search
 */
public record MiningConfig(
    boolean filter,
    boolean mine,
    int filterTopK,
    int rangeMin,
    int rangeMax,
    int negatives,
    ExistingNegatives existingNegatives,
    Prompt queryPrompt,
    boolean exampleInstructions,
    long seed,
    boolean recordScores,
    ImmutableList<String> corpus,
    SearchConfig search) {

  /** Validates. @throws IllegalArgumentException naming a bad value */
  public MiningConfig {
    checkArgument(filter || mine, "at least one of filter and mine must be on");
    checkArgument(filterTopK >= 0, "filterTopK must be >= 0, got %s", filterTopK);
    checkArgument(rangeMin >= 0 && rangeMin < rangeMax, "range must satisfy 0 <= rangeMin < rangeMax, got [%s, %s)",
        rangeMin, rangeMax);
    checkArgument(negatives >= 0, "negatives must be >= 0, got %s", negatives);
    checkNotNull(existingNegatives, "existingNegatives");
    checkNotNull(queryPrompt, "queryPrompt");
    corpus = ImmutableList.copyOf(checkNotNull(corpus, "corpus"));
    checkNotNull(search, "search");
  }

  /** KaLM's defaults: filter and mine, top-k 50, range [50, 100), 7 negatives kept-first, no query prompt, seed 42. */
  public static MiningConfig defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.filter = filter;
    b.mine = mine;
    b.filterTopK = filterTopK;
    b.rangeMin = rangeMin;
    b.rangeMax = rangeMax;
    b.negatives = negatives;
    b.existingNegatives = existingNegatives;
    b.queryPrompt = queryPrompt;
    b.exampleInstructions = exampleInstructions;
    b.seed = seed;
    b.recordScores = recordScores;
    b.corpus = corpus;
    b.search = search;
    return b;
  }

  /**
   * How many results per query the search must return: enough to see rank {@code filterTopK} when
   * filtering and rank {@code rangeMax - 1} when mining.
   */
  public int retrievalDepth() {
    return Math.max(filter ? filterTopK + 1 : 0, mine ? rangeMax : 0);
  }

  /** Builder for {@link MiningConfig}; not thread-safe. */
  public static final class Builder {
    private boolean filter = true;
    private boolean mine = true;
    private int filterTopK = 50;
    private int rangeMin = 50;
    private int rangeMax = 100;
    private int negatives = 7;
    private ExistingNegatives existingNegatives = ExistingNegatives.KEEP_FIRST;
    private Prompt queryPrompt = Prompt.none();
    private boolean exampleInstructions = true;
    private long seed = 42;
    private boolean recordScores;
    private List<String> corpus = List.of();
    private SearchConfig search;

    private Builder() {}

    /** Whether to drop ranking-inconsistent examples (default true). */
    public Builder filter(boolean filter) { this.filter = filter; return this; }
    /** Whether to mine hard negatives (default true). */
    public Builder mine(boolean mine) { this.mine = mine; return this; }
    /** The rank the best positive's score must reach (default 50). */
    public Builder filterTopK(int filterTopK) { this.filterTopK = filterTopK; return this; }
    /** The sampling range [min, max) of 0-based ranks (default [50, 100)). */
    public Builder range(int min, int max) { this.rangeMin = min; this.rangeMax = max; return this; }
    /** Negatives per example (default 7). */
    public Builder negatives(int negatives) { this.negatives = negatives; return this; }
    /** What happens to an example's own negatives (default {@link ExistingNegatives#KEEP_FIRST}, KaLM's). */
    public Builder existingNegatives(ExistingNegatives mode) { this.existingNegatives = mode; return this; }
    /** Prompt of queries without their own instruction (default none). */
    public Builder queryPrompt(Prompt queryPrompt) { this.queryPrompt = queryPrompt; return this; }
    /** Whether an example's own instruction wins over the query prompt (default true). */
    public Builder exampleInstructions(boolean use) { this.exampleInstructions = use; return this; }
    /** Sampling seed (default 42). */
    public Builder seed(long seed) { this.seed = seed; return this; }
    /** Whether to write teacher scores (default false). */
    public Builder recordScores(boolean record) { this.recordScores = record; return this; }
    /** A separate candidate pool (default: the input's documents). */
    public Builder corpus(List<String> corpus) { this.corpus = corpus; return this; }
    /** Search blocks and device (default {@link SearchConfig#defaults()}). */
    public Builder search(SearchConfig search) { this.search = search; return this; }

    /** @throws IllegalArgumentException naming a bad value */
    public MiningConfig build() {
      return new MiningConfig(filter, mine, filterTopK, rangeMin, rangeMax, negatives, existingNegatives, queryPrompt,
          exampleInstructions, seed, recordScores, ImmutableList.copyOf(corpus),
          search == null ? SearchConfig.defaults() : search);
    }
  }
}
