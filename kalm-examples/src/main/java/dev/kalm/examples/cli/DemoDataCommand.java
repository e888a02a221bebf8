package dev.kalm.examples.cli;

import dev.kalm.examples.demo.Demo;
import dev.kalm.examples.demo.DemoConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kalm demo-data}: writes the demo's data (this machine's manual pages, sampled and split as
 * {@code kalm demo} does) as files the other commands read, so that every example in the docs runs with only
 * the repository.
 */
@Command(name = "demo-data", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Export the demo's manual-page data as training and BEIR files.",
    description = {"Reads this machine's manual pages (MANPATH, else /usr/share/man ...), samples and splits them "
        + "exactly as `kalm demo` does with the same --seed and --max-pages, and writes DIR/train.jsonl (the "
        + "training split as training JSON Lines: input of mine, train and demo --data) and DIR/beir/ (the held-out "
        + "split as a BEIR folder: input of eval and convert; its corpus.jsonl is input of search and embed).",
        "The files depend on the manual pages installed on the machine."})
final class DemoDataCommand implements Callable<Integer> {
  @Option(names = "--output", paramLabel = "DIR", defaultValue = "demo-data",
      description = "Folder to write into; its files are replaced (default: ${DEFAULT-VALUE}).")
  Path output;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
      description = "Seed of the sample and the split, as demo --seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--max-pages", paramLabel = "N", defaultValue = "2000",
      description = "Examples used at most, as demo --max-pages (default: ${DEFAULT-VALUE}).")
  int maxPages;

  @Override
  public Integer call() {
    DemoConfig defaults = DemoConfig.defaults(output);
    DemoConfig config = new DemoConfig(defaults.minutes(), defaults.preset(), seed, output, null, maxPages,
        defaults.testFraction(), defaults.maxLength(), defaults.batchSize(), defaults.hardNegatives(),
        defaults.learningRate(), false);
    System.out.println(Demo.exportData(config, output));
    return 0;
  }
}
