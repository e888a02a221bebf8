package dev.kalm.data.filter;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.example.ExampleReader;
import dev.kalm.data.example.TrainingExample;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * Factories for {@link DataFilter}s: KaLM's data cleaning steps. Every filter returned is immutable and
 * may be applied many times, from several threads.
 *
 * <pre>{@code
 * DataFilter pipeline = DataFilters.chain(
 *     DataFilters.dedupDocuments(),
 *     DataFilters.dedupExamples(),
 *     DataFilters.tokenLength(teacher::tokenCount, 1, 512),
 *     DataFilters.rankingConsistency(teacher, MiningConfig.defaults()));
 * }</pre>
 */
public final class DataFilters {
  /** Drop reason of {@link #dedupExamples()}. */
  public static final String DUPLICATE_EXAMPLE = DedupExamplesFilter.DUPLICATE;
  /** Drop reason of {@link #rankingConsistency}: the best positive ranked below {@code filterTopK}. */
  public static final String INCONSISTENT_RANKING = MiningRule.INCONSISTENT_RANKING;

  private DataFilters() {}

  /**
   * The filters one after the other. The chain's report counts what came into the first and out of
   * the last, sums the drops of all, and lists each filter's own report in
   * {@link FilterReport#parts()}.
   *
   * @throws IllegalArgumentException when no filter is given
   */
  public static DataFilter chain(DataFilter... filters) {
    return chain(List.of(filters));
  }

  /** Same as {@link #chain(DataFilter...)}. */
  public static DataFilter chain(List<DataFilter> filters) {
    checkArgument(!filters.isEmpty(), "chain needs at least one filter");
    return new ChainFilter(ImmutableList.copyOf(filters));
  }

  /**
   * Exact deduplication of examples: drops an example whose normalised query and first positive
   * ({@link dev.kalm.data.example.Texts#normalize}) equal those of an earlier one (reason
   * {@value #DUPLICATE_EXAMPLE}). Streams; memory is 16 bytes per distinct example.
   */
  public static DataFilter dedupExamples() {
    return new DedupExamplesFilter();
  }

  /**
   * Deduplication of documents inside each example: drops repeated positives, negatives equal to a
   * positive and repeated negatives (normalised text), keeping the first and keeping teacher scores
   * aligned. Drops no example; reports {@code positives_removed} / {@code negatives_removed}. Streams.
   */
  public static DataFilter dedupDocuments() {
    return new DedupDocumentsFilter();
  }

  /**
   * Token-length bounds: drops an example whose query or any positive has fewer than {@code min} or more
   * than {@code max} tokens (reasons {@code query-too-short}, {@code query-too-long},
   * {@code positive-too-short}, {@code positive-too-long}). Streams.
   *
   * @param tokenCount tokens of a text, e.g. {@code embedder::tokenCount}; must be thread-safe if the
   *     stream is parallel
   * @throws IllegalArgumentException unless {@code 0 <= min <= max}
   */
  public static DataFilter tokenLength(ToIntFunction<String> tokenCount, int min, int max) {
    checkNotNull(tokenCount, "tokenCount");
    checkArgument(min >= 0 && min <= max, "token bounds must satisfy 0 <= min <= max, got [%s, %s]", min, max);
    return new TokenLengthFilter(tokenCount, min, max);
  }

  /**
   * The examples of a file or folder through {@code filter}, lazily, counted in {@code tally}. With
   * {@link PoolScope#SHARED} the whole input is one run of the filter (one mining pool, one duplicate
   * scope); with {@link PoolScope#PER_FILE} each file is a run of its own, in {@link ExampleReader#files}
   * order, as KaLM's scripts run {@code hn_mine.py} once per file: each file's examples are mined against
   * the file's own texts, deduplicated within the file, and numbered from 0 for sampling, so a file
   * mines the same alone as in its folder. A single file is the same in both scopes. Close the stream.
   */
  public static Stream<TrainingExample> apply(DataFilter filter, ExampleReader reader, Path fileOrFolder,
      PoolScope scope, FilterTally tally) {
    checkNotNull(filter, "filter");
    checkNotNull(reader, "reader");
    checkNotNull(scope, "scope");
    checkNotNull(tally, "tally");
    if (scope == PoolScope.SHARED) {
      return filter.apply(reader.read(fileOrFolder), tally);
    }
    return ExampleReader.files(fileOrFolder).stream().flatMap(file -> filter.apply(reader.read(file), tally));
  }

  /** Same as {@link #rankingConsistency(Embedder, MiningConfig, ProgressListener)} without progress. */
  public static DataFilter rankingConsistency(Embedder teacher, MiningConfig config) {
    return rankingConsistency(teacher, config, ProgressListener.NONE);
  }

  /**
   * KaLM's ranking-consistency filter and hard-negative mining, in one pass:
   * <ol>
   *   <li>Embed the candidate pool (every positive and negative of the input, deduplicated, or
   *       {@link MiningConfig#corpus()}) without prompt, and the queries with their prompt
   *       ({@link MiningConfig#queryPrompt()}, or the example's instruction), with {@code teacher}.
   *   <li>Retrieve the top {@link MiningConfig#retrievalDepth()} pool texts per query by exact search.
   *   <li>If filtering: keep an example iff its best positive's score is &gt;= the score at 0-based rank
   *       {@code filterTopK} of its list (a shorter list keeps it); else drop it (reason
   *       {@value #INCONSISTENT_RANKING}).
   *   <li>If mining: a kept example's negatives become its existing negatives (first, at most
   *       {@code negatives}; none with {@link ExistingNegatives#REPLACE}), then texts sampled uniformly without replacement from 0-based ranks
   *       [{@code rangeMin}, {@code rangeMax}) of its list, then, if still short, random pool texts. A
   *       negative is never blank nor equal (normalised) to the query, a positive or another negative.
   *       Stale {@code neg_scores} are dropped when the negatives change.
   * </ol>
   * Steps 3 and 4 are {@link MiningRule#decide}, the function the Spark miner calls too.
   * Deterministic: the sampling of the example at 0-based input position {@code i} uses a random
   * stream derived from {@code (config.seed(), i)} ({@link MiningRule#exampleSeed}), so the output depends only on the input, the
   * teacher and the config. Holds the input and the pool embeddings (float32) in memory; consumes the
   * whole input on the first pull. Reports (summed over runs when applied per file) {@code pools}, {@code pool_size}, {@code queries}, {@code embed_seconds},
   * {@code embed_tokens} (texts and prompted queries embedded, each cut to the teacher's maximum length),
   * {@code embed_tokens_per_second}, {@code search_seconds}, {@code search_scores_per_second}, {@code negatives_existing},
   * {@code negatives_mined}, {@code negatives_padded}, {@code examples_short_of_negatives}.
   *
   * @param progress receives texts embedded plus queries searched, of (pool + extra texts + 2 x queries)
   */
  public static DataFilter rankingConsistency(Embedder teacher, MiningConfig config, ProgressListener progress) {
    return new RankingConsistencyFilter(checkNotNull(teacher, "teacher"), checkNotNull(config, "config"),
        checkNotNull(progress, "progress"));
  }
}
