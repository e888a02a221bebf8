package dev.kalm.examples.cli;

import dev.kalm.data.beir.BeirDataset;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.example.TrainingExamples;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kalm convert}: turns a BEIR retrieval folder into training JSON Lines. */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    header = "Convert a BEIR folder into training JSON Lines.",
    description = "Reads corpus.jsonl, queries.jsonl and qrels/<split>.tsv and writes one {\"query\", \"pos\", "
        + "\"neg\": [], \"task\"} line per query, with its relevant (score > 0) documents as positives.",
    sortOptions = false)
public final class ConvertCommand implements Callable<Integer> {
  @Option(names = "--beir", required = true, paramLabel = "DIR", description = "The BEIR folder.")
  Path beir;

  @Option(names = "--output", required = true, paramLabel = "FILE", description = "Training JSON Lines to write (atomically).")
  Path output;

  @Option(names = "--split", defaultValue = "test", paramLabel = "NAME", description = "Qrels split (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--task-field", paramLabel = "FIELD",
      description = "Query field whose value is the task, e.g. section (default: none).")
  String taskField;

  @Option(names = "--task", paramLabel = "NAME", description = "Task of queries without that field (default: the folder's name).")
  String task;

  @Override
  public Integer call() {
    OutputPaths.checkFile("--output", output);
    BeirDataset dataset = BeirDataset.load(beir, split);
    String defaultTask = task != null ? task : beir.toAbsolutePath().normalize().getFileName().toString();
    List<TrainingExample> examples = TrainingExamples.fromBeir(dataset, taskField, defaultTask);
    long written = TrainingExamples.write(output, examples);
    System.out.println("wrote " + written + " examples (" + dataset.queries().size() + " queries with qrels) to " + output);
    return 0;
  }
}
