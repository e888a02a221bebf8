package dev.kalm.data.filter;

import dev.kalm.core.model.Prompt;
import dev.kalm.core.report.Report;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A mining run as plain option values, the way a front end ({@code kalm mine}, the Spark mine job) receives
 * them: the one place that checks them, turns them into a {@link MiningConfig} and describes the run in its
 * report, so that the front ends only parse and print.
 *
 * @param filterTopK {@code --filter-topk}: the 0-based rank whose score the best positive must reach
 * @param range {@code --range}: {@code MIN-MAX}, the 0-based ranks [MIN, MAX) negatives are sampled from
 * @param negatives {@code --negatives}: hard negatives per example
 * @param existingNegatives {@code --existing-negatives}: {@code keep-first} or {@code replace}
 * @param pool {@code --pool}: {@code per-file} or {@code shared}
 * @param searchKernel {@code --search-kernel}: {@code java} (deterministic) or {@code matmul}
 * @param queryInstruction {@code --query-instruction}, or null for no query prompt
 * @param seed {@code --seed}: the sampling seed
 * @param filter false with {@code --no-filter}
 * @param mine false with {@code --no-mining}
 * @param dedup false with {@code --no-dedup}
 * @param recordScores {@code --record-scores}
 */
public record MiningSpec(
    int filterTopK,
    String range,
    int negatives,
    String existingNegatives,
    String pool,
    String searchKernel,
    @Nullable String queryInstruction,
    long seed,
    boolean filter,
    boolean mine,
    boolean dedup,
    boolean recordScores) {

  /** The metrics of the mining step reported as timing, in report order. */
  private static final List<String> TIMING = List.of("embed_seconds", "embed_tokens", "embed_tokens_per_second",
      "search_seconds", "search_scores_per_second");

  /**
   * Checks every value ({@code --range}, {@code --pool}, {@code --search-kernel}, then the rest) and returns
   * a builder holding them; the caller adds the corpus and the search settings.
   *
   * @throws IllegalArgumentException naming the option and the bad value
   */
  public MiningConfig.Builder configBuilder() {
    String[] bounds = range.split("-");
    if (bounds.length != 2 || !bounds[0].strip().matches("\\d+") || !bounds[1].strip().matches("\\d+")) {
      throw new IllegalArgumentException("--range must be MIN-MAX, e.g. 50-100; got '" + range + "'");
    }
    poolScope();
    deterministicSearch();
    return MiningConfig.builder()
        .filter(filter)
        .mine(mine)
        .filterTopK(filterTopK)
        .range(Integer.parseInt(bounds[0].strip()), Integer.parseInt(bounds[1].strip()))
        .negatives(negatives)
        .existingNegatives(ExistingNegatives.valueOf(choice("--existing-negatives", existingNegatives, "keep-first", "replace")))
        .queryPrompt(queryInstruction == null ? Prompt.none() : Prompt.instruction(queryInstruction))
        .seed(seed)
        .recordScores(recordScores);
  }

  /** The {@code --pool} value as a scope. @throws IllegalArgumentException for another value */
  public PoolScope poolScope() {
    return PoolScope.valueOf(choice("--pool", pool, "per-file", "shared"));
  }

  /** Whether {@code --search-kernel} is {@code java}. @throws IllegalArgumentException unless java or matmul */
  public boolean deterministicSearch() {
    return choice("--search-kernel", searchKernel, "java", "matmul").equals("JAVA");
  }

  /**
   * The enum constant name of a kebab-case option value ({@code per-file} to {@code PER_FILE}).
   *
   * @throws IllegalArgumentException listing the allowed values when {@code value} is none of them
   */
  public static String choice(String option, String value, String... allowed) {
    if (!Arrays.asList(allowed).contains(value)) {
      throw new IllegalArgumentException(option + " must be one of " + String.join(", ", allowed) + "; got '" + value + "'");
    }
    return value.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * The report of a mining run, as {@code kalm mine --report} and the Spark mine job write it: {@code input},
   * {@code filters} ({@link FilterReport#toReport()}), {@code output} ({@code path}, {@code examples}),
   * {@code timing} ({@code total_seconds} and the mining step's {@code embed_seconds}, {@code embed_tokens} and
   * {@code embed_tokens_per_second} (where the filter counted them: the single-machine one does, the Spark miner
   * does not), {@code search_seconds}, {@code search_scores_per_second}, 0 when absent) and {@code config} (see
   * {@link #configReport}).
   *
   * @param input the input's fields, its {@code path} first
   * @param outputPath where the kept examples went
   * @param written examples written there
   * @param seconds wall time of the whole run
   * @param config the run's settings, {@link #configReport} and any fields of the front end's own after them
   */
  public static Report report(
      Report input, FilterReport filters, String outputPath, long written, double seconds, Report config) {
    Map<String, Double> metrics = miningMetrics(filters);
    Report.Builder timing = Report.builder().add("total_seconds", seconds);
    for (String key : TIMING) {
      double value = metrics.getOrDefault(key, 0.0);
      if (key.startsWith("embed_tokens")) { // counted by the single-machine filter only; absent, not 0, elsewhere
        if (metrics.containsKey(key) && key.equals("embed_tokens")) {
          timing.add(key, (long) value); // a count
        } else if (metrics.containsKey(key)) {
          timing.add(key, value);
        }
      } else {
        timing.add(key, value);
      }
    }
    return Report.builder()
        .add("input", input)
        .add("filters", filters.toReport())
        .add("output", Report.builder().add("path", outputPath).add("examples", written).build())
        .add("timing", timing.build())
        .add("config", config)
        .build();
  }

  /**
   * The mining report's {@code config} fields: the model, the effective mining settings and these options
   * ({@code corpus} left out when null).
   *
   * @param model the teacher as the user named it
   * @param corpus the {@code --corpus} value, or null for the input's own texts
   */
  public Report configReport(String model, @Nullable String corpus, MiningConfig mining) {
    return Report.builder()
        .add("model", model)
        .add("filter", mining.filter())
        .add("mine", mining.mine())
        .add("filter_topk", mining.filterTopK())
        .add("range_min", mining.rangeMin())
        .add("range_max", mining.rangeMax())
        .add("negatives", mining.negatives())
        .add("pool", pool)
        .add("search_kernel", searchKernel)
        .add("existing_negatives", existingNegatives)
        .add("query_prompt", mining.queryPrompt().prefix())
        .add("seed", mining.seed())
        .add("corpus", corpus)
        .add("dedup", dedup)
        .build();
  }

  /**
   * One line, {@code embedding E s (N tokens, R tokens/s), search S s (R scores/s), total T s} and a newline;
   * the token part only when the mining step counted its tokens.
   */
  public static String timingLine(FilterReport filters, double seconds) {
    Map<String, Double> m = miningMetrics(filters);
    double tokens = m.getOrDefault("embed_tokens", 0.0);
    String tokenPart = tokens > 0 ? String.format(Locale.ROOT, " (%.0f tokens, %.1f tokens/s)", tokens,
        m.getOrDefault("embed_tokens_per_second", 0.0)) : "";
    return String.format(Locale.ROOT, "embedding %.1f s%s, search %.1f s (%.3g scores/s), total %.1f s%n",
        m.getOrDefault("embed_seconds", 0.0), tokenPart, m.getOrDefault("search_seconds", 0.0),
        m.getOrDefault("search_scores_per_second", 0.0), seconds);
  }

  /** The metrics of the chain's last step (the ranking-consistency filter), or of the report itself. */
  public static Map<String, Double> miningMetrics(FilterReport filters) {
    return filters.parts().isEmpty() ? filters.metrics() : filters.parts().get(filters.parts().size() - 1).metrics();
  }
}
