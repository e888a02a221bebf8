package dev.kalm.examples.cli;

import dev.kalm.examples.demo.Demo;
import dev.kalm.examples.demo.DemoConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kalm demo}: the KaLM pipeline in miniature on this machine's manual pages, offline. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Run the KaLM pipeline in miniature on the manual pages.",
    description = "Offline: manual pages -> a fresh small Qwen2 -> evaluate -> warm-up training -> "
        + "ranking-consistency filtering + hard-negative mining with the warm model -> training with hard negatives, "
        + "Matryoshka loss and task batches -> evaluate again (about 10 minutes on 2 cores). The table depends on "
        + "the manual pages installed on the machine.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--minutes", paramLabel = "X", defaultValue = "10", description = "Time budget; scales the training steps (default: ${DEFAULT-VALUE}).")
  double minutes;

  @Option(names = "--output", paramLabel = "DIR", defaultValue = "kalm-demo", description = "Folder for models and the report, replaced (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--data", paramLabel = "PATH", description = "A BEIR folder or training JSON Lines to use instead of the manual pages (default: the manual pages).")
  Path data;

  @Option(names = "--preset", paramLabel = "NAME", defaultValue = "small", description = "Model shape: tiny or small (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--max-pages", paramLabel = "N", defaultValue = "2000", description = "Examples used at most (default: ${DEFAULT-VALUE}).")
  int maxPages;

  @Option(names = "--lr", paramLabel = "X", description = "Peak learning rate of both training stages (default: the preset's).")
  Double lr;

  @Option(names = "--ablate", description = "Run the ablation of the data techniques instead (each variant gets --minutes).")
  boolean ablate;

  @Option(names = "--seeds", paramLabel = "N", defaultValue = "2", description = "Seeds for --ablate: seed, seed+1, ... (default: ${DEFAULT-VALUE}).")
  int seeds;

  @Option(names = "--keep-intermediate",
      description = "Keep the untrained models and the optimizer state of every model (about 0.8 GB more).")
  boolean keepIntermediate;

  @Override
  public Integer call() {
    OutputPaths.checkFolder("--output", output);
    DemoConfig defaults = DemoConfig.defaults(output);
    DemoConfig config = new DemoConfig(minutes, preset, seed, output, data, maxPages, defaults.testFraction(),
        defaults.maxLength(), defaults.batchSize(), defaults.hardNegatives(), lr != null ? lr : defaults.learningRate(),
        keepIntermediate);
    System.err.printf(Locale.ROOT, "kalm demo: %s, budget %.1f min, %d warm-up + %d final steps, seed %d%n",
        ablate ? "ablation" : "pipeline", minutes, config.warmupSteps(), config.finalSteps(), seed);
    Demo.Report report;
    if (ablate) {
      List<Long> list = new ArrayList<>();
      for (int i = 0; i < seeds; i++) {
        list.add(seed + i);
      }
      report = Demo.ablate(config, list, System.err);
    } else {
      report = Demo.run(config, System.err);
    }
    System.out.println();
    System.out.print(report.table());
    System.out.println();
    report.timings().forEach((step, s) -> System.out.printf(Locale.ROOT, "  %-18s %7.1f s%n", step, s));
    Path model = report.model().toAbsolutePath();
    System.out.printf(Locale.ROOT, "%nReport: %s%n", output.toAbsolutePath().resolve(ablate ? "ablation-report.json" : "demo-report.json"));
    System.out.printf(Locale.ROOT, "Trained model (Hugging Face + sentence-transformers layout): %s%n", model);
    System.out.printf(Locale.ROOT, "Try it (the demo model takes queries without an instruction):%n");
    System.out.printf(Locale.ROOT, "  ./kalm demo-data --output demo-data%n");
    System.out.printf(Locale.ROOT, "  ./kalm search --model %s --corpus demo-data/beir/corpus.jsonl --query-instruction '' "
        + "\"list directory contents\"%n", model);
    System.out.printf(Locale.ROOT, "  ./kalm eval --model %s --task retrieval --data demo-data/beir%n", model);
    return 0;
  }
}
