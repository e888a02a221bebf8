package dev.kalm.examples.cli;

import dev.kalm.core.device.Backends;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.report.Report;
import dev.kalm.data.example.ExampleReader;
import dev.kalm.data.example.ExampleWriter;
import dev.kalm.data.example.ReadReport;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.filter.DataFilter;
import dev.kalm.data.filter.DataFilters;
import dev.kalm.data.filter.FilterReport;
import dev.kalm.data.filter.FilterTally;
import dev.kalm.data.filter.MiningConfig;
import dev.kalm.data.filter.MiningSpec;
import dev.kalm.data.filter.PoolScope;
import dev.kalm.data.search.CorpusDocument;
import dev.kalm.data.search.SearchConfig;
import dev.kalm.examples.bench.Machine;
import dev.kalm.examples.console.ProgressBar;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code kalm mine}: ranking-consistency filtering and hard-negative mining of a training file with a
 * teacher model, KaLM's way. A thin layer over {@link DataFilters#rankingConsistency}.
 */
@Command(
    name = "mine",
    mixinStandardHelpOptions = true,
    header = "Filter training examples and mine hard negatives with a teacher.",
    description = "Each query retrieves the top MAX texts of the pool (the positives and negatives of its file, "
        + "of all files with --pool shared, or --corpus); an example is kept if its best positive scores at least "
        + "the text at rank --filter-topk; kept examples get --negatives negatives: existing ones first (none "
        + "with --existing-negatives replace), then sampled from ranks [MIN, MAX) of --range, then random pool "
        + "texts. Output: the kept examples as JSON Lines with \"neg\" filled.",
    sortOptions = false)
final class MineCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ModelOptions modelOptions;

  @Mixin BatchOptions batchOptions;

  @Option(names = "--data", required = true, paramLabel = "FILE",
      description = "Training examples: a JSON Lines file or a folder of them ({\"query\", \"pos\", \"neg\"}).")
  Path data;

  @Option(names = "--output", required = true, paramLabel = "FILE", description = "Where the kept examples go (written atomically).")
  Path output;

  @Option(names = "--corpus", paramLabel = "FILE",
      description = "Candidate pool as JSON Lines with \"text\" (and optional \"title\"), e.g. a BEIR corpus.jsonl. "
          + "Default: the input's positives and negatives.")
  Path corpus;

  @Option(names = "--filter-topk", defaultValue = "50", paramLabel = "K",
      description = "Rank (0-based) whose score the best positive must reach (default: ${DEFAULT-VALUE}).")
  int filterTopK;

  @Option(names = "--range", defaultValue = "50-100", paramLabel = "MIN-MAX",
      description = "Ranks [MIN, MAX) (0-based) negatives are sampled from (default: ${DEFAULT-VALUE}).")
  String range;

  @Option(names = "--negatives", defaultValue = "7", paramLabel = "N",
      description = "Hard negatives per example (default: ${DEFAULT-VALUE}).")
  int negatives;

  @Option(names = "--pool", defaultValue = "per-file", paramLabel = "per-file|shared",
      description = "With a folder: mine each file against its own texts, as KaLM's scripts do, or all files"
          + " against one shared pool (default: ${DEFAULT-VALUE}).")
  String pool;

  @Option(names = "--existing-negatives", defaultValue = "keep-first", paramLabel = "keep-first|replace",
      description = "An example's own negatives: kept first, as KaLM's hn_mine.py does, or replaced by mined ones,"
          + " as FlagEmbedding's hn_mine.py does (default: ${DEFAULT-VALUE}).")
  String existingNegatives;

  @Option(names = "--search-kernel", defaultValue = "matmul", paramLabel = "matmul|java",
      description = "Exact search: matrix products on the device (fast), or the deterministic plain-Java kernel "
          + "whose scores do not depend on blocks or machine, as a distributed search needs (default: ${DEFAULT-VALUE}).")
  String searchKernel;

  @Option(names = "--no-filter", description = "Keep every example (mine only).")
  boolean noFilter;

  @Option(names = "--no-mining", description = "Leave negatives as they are (filter only).")
  boolean noMining;

  @Option(names = "--no-dedup", description = "Skip exact deduplication of examples and documents before mining.")
  boolean noDedup;

  @Option(names = "--query-instruction", paramLabel = "TEXT",
      description = "Instruction for queries without their own, as 'Instruct: TEXT \\n Query: ...' (default: none).")
  String queryInstruction;

  @Option(names = "--record-scores", description = "Write the teacher's scores into pos_scores / neg_scores.")
  boolean recordScores;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @picocli.CommandLine.Mixin AttentionOption attentionOption;

  @Option(names = "--report", paramLabel = "FILE.json", description = "Also write the report as JSON to this file (default: none).")
  Path report;

  @Option(names = "--lenient", description = "Skip and count bad input lines instead of stopping at the first.")
  boolean lenient;

  @Override
  public Integer call() {
    OutputPaths.checkFile("--output", output);
    OutputPaths.checkFile("--report", report);
    MiningConfig mining = miningConfig();
    try (Embedder teacher = Embedders.load(modelOptions.model, modelOptions.configBuilder(batchOptions)
        .attention(attentionOption.attention()).build())) {
      return mine(teacher, mining);
    }
  }

  /** Validates the options into a mining config (before any model is loaded). */
  MiningConfig miningConfig() {
    MiningSpec options = miningSpec();
    try {
      return options.configBuilder()
          .corpus(corpus == null ? List.of()
              : CorpusDocument.readJsonl(corpus).stream().map(CorpusDocument::embeddingText).toList())
          .search(options.deterministicSearch() ? SearchConfig.deterministic()
              : SearchConfig.defaults().withBackend(Backends.resolve(modelOptions.device())))
          .build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** The mining options as plain values. */
  private MiningSpec miningSpec() {
    return new MiningSpec(filterTopK, range, negatives, existingNegatives, pool, searchKernel, queryInstruction, seed,
        !noFilter, !noMining, !noDedup, recordScores);
  }

  /** Reads, filters and writes with the given teacher; returns the exit code. */
  int mine(Embedder teacher, MiningConfig mining) {
    PrintStream err = System.err;
    long start = System.nanoTime();
    ExampleReader reader = ExampleReader.of(lenient ? ExampleReader.Mode.LENIENT : ExampleReader.Mode.STRICT);
    List<DataFilter> steps = new ArrayList<>();
    if (!noDedup) {
      steps.add(DataFilters.dedupDocuments());
      steps.add(DataFilters.dedupExamples());
    }
    ProgressBar bar = ProgressBar.stderr("mine: texts embedded + queries searched");
    steps.add(DataFilters.rankingConsistency(teacher, mining, bar));
    DataFilter chain = DataFilters.chain(steps);
    FilterTally tally = new FilterTally(chain.name());
    long written;
    PoolScope scope = miningSpec().poolScope();
    try (Stream<TrainingExample> out = DataFilters.apply(chain, reader, data, scope, tally);
        ExampleWriter writer = ExampleWriter.open(output)) {
      out.forEach(writer::write);
      writer.commit();
      written = writer.count();
    }
    bar.finish();
    double seconds = (System.nanoTime() - start) / 1e9;
    FilterReport filters = tally.report();
    ReadReport read = reader.report();
    err.print(summary(read, filters, seconds));
    double scoresPerSecond = MiningSpec.miningMetrics(filters).getOrDefault("search_scores_per_second", 0.0);
    if (scoresPerSecond > 0) {
      double peak = Machine.matmulGflops(mining.search().backend(), 1024);
      double achieved = scoresPerSecond * 2 * teacher.dimension() / 1e9;
      err.printf(java.util.Locale.ROOT, "search: %.3g scores/s at dimension %d = %.1f GFLOP/s, %.0f %% of the matmul peak"
          + " measured now (%.1f GFLOP/s)%n", scoresPerSecond, teacher.dimension(), achieved, 100 * achieved / peak, peak);
    }
    if (report != null) {
      Report input = Report.builder().add("path", data.toString()).addAll(read.toReport()).build();
      Report config = miningSpec().configReport(modelOptions.model.toString(), corpus == null ? null : corpus.toString(),
          mining);
      MiningSpec.report(input, filters, output.toString(), written, seconds, config).write(report);
    }
    System.out.println("kept " + written + " of " + read.examples() + " examples -> " + output);
    return 0;
  }

  private String summary(ReadReport read, FilterReport filters, double seconds) {
    StringBuilder sb = new StringBuilder();
    sb.append("read ").append(read.examples()).append(" examples from ").append(data);
    if (read.skipped() > 0) {
      sb.append(" (skipped ").append(read.skipped()).append(" bad lines: ").append(read.skippedByReason()).append(")");
    }
    sb.append('\n').append(filters.summary()).append(MiningSpec.timingLine(filters, seconds));
    return sb.toString();
  }
}
