package dev.kalm.examples.cli;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.train.eval.BitextDirection;
import dev.kalm.train.eval.ClusteringMode;
import dev.kalm.train.eval.EvaluationConfig;
import dev.kalm.train.eval.EvaluationResult;
import dev.kalm.train.eval.EvaluationTask;
import dev.kalm.train.eval.Evaluator;
import dev.kalm.train.eval.Evaluators;
import dev.kalm.train.eval.ResultFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code ./kalm eval}: scores a model on one data set the way MTEB does and prints the result JSON. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Evaluate a model on one data set with MTEB's metrics.",
    description = {
      "Prints the result JSON on standard output (progress on standard error). See docs/eval.md for the data "
          + "formats and how each metric matches MTEB.",
      "Example: ./kalm eval --model kalm-demo/model --task retrieval --data demo-data/beir"
    })
final class EvalCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Mixin ModelOptions modelOptions;

  @Mixin BatchOptions batchOptions;

  @Option(names = "--task", required = true, paramLabel = "TASK", converter = TaskConverter.class,
      description = "One of retrieval, bitext, sts, pair, classification, clustering, reranking.")
  EvaluationTask task;

  @Option(names = "--data", required = true, paramLabel = "PATH",
      description = "Data: a BEIR folder (retrieval), a JSON Lines file, or a folder with <split>.jsonl "
          + "(classification: a folder with train.jsonl and <split>.jsonl).")
  Path data;

  @Option(names = "--split", defaultValue = "test", paramLabel = "NAME", description = "Split to evaluate (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--train", paramLabel = "FILE",
      description = "Classification: training file (default: train.jsonl beside the test data).")
  Path train;

  @Option(names = "--query-instruction", paramLabel = "TEXT",
      description = "Task instruction for query-side texts, wrapped as 'Instruct: TEXT \\n Query: ' "
          + "(default: the model folder's default prompt, if any). Documents and symmetric tasks get none.")
  String queryInstruction;

  @picocli.CommandLine.Mixin AttentionOption attentionOption;

  @Option(names = "--dim", defaultValue = "0", paramLabel = "N",
      description = "Matryoshka dimension, 0 for the full size (default: ${DEFAULT-VALUE}).")
  int dimension;

  @Option(names = "--output", paramLabel = "FILE.json",
      description = "Also write the result JSON to this file, atomically (default: none).")
  Path output;

  @Option(names = "--top-k", defaultValue = "1000", paramLabel = "N",
      description = "Retrieval: documents retrieved per query, as MTEB's top_k (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--skip-unanswerable",
      description = "Retrieval: leave out a query none of whose relevant documents is in the corpus (default: "
          + "score it 0, as pytrec_eval and MTEB do; counts.queries_without_relevant_documents says how many).")
  boolean skipUnanswerable;

  @Option(names = "--clustering", defaultValue = "bootstrap", paramLabel = "bootstrap|full-set",
      description = "Clustering: MTEB 2.x's 10 bootstrap samples of 16384 draws, or k-means on the full set "
          + "(default: ${DEFAULT-VALUE}).")
  String clustering;

  @Option(names = "--ignore-identical-ids",
      description = "Retrieval: drop a retrieved document whose id equals the query id (MTEB's "
          + "ignore_identical_ids; for data sets whose queries are also documents).")
  boolean ignoreIdenticalIds;

  @Option(names = "--direction", defaultValue = "forward", paramLabel = "forward|backward|both",
      description = "Bitext: forward = xx->en / sentence1->sentence2 as MTEB (default: ${DEFAULT-VALUE}).")
  String direction;

  @Option(names = "--experiments", defaultValue = "10", paramLabel = "N",
      description = "Classification: undersampled training runs averaged (default: ${DEFAULT-VALUE}).")
  int experiments;

  @Option(names = "--samples-per-label", defaultValue = "0", paramLabel = "N",
      description = "Classification: training examples per label in each run; 0 = the data set's own "
          + "(samples_per_label in a task.json beside the test file, as each MTEB task declares it), else 8, "
          + "MTEB's default (default: ${DEFAULT-VALUE}).")
  int samplesPerLabel;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of all random choices (default: ${DEFAULT-VALUE}).")
  long seed;

  private ClusteringMode clusteringMode() {
    return switch (clustering) {
      case "bootstrap" -> ClusteringMode.BOOTSTRAP;
      case "full-set" -> ClusteringMode.FULL_SET;
      default -> throw new CommandLine.ParameterException(spec.commandLine(),
          "--clustering must be bootstrap or full-set; got '" + clustering + "'");
    };
  }

  @Override
  public Integer call() {
    OutputPaths.checkFile("--output", output);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    EvaluationConfig config = EvaluationConfig.builder()
        .queryPrompt(queryInstruction == null ? null : Prompt.instruction(queryInstruction))
        .topK(topK)
        .skipUnanswerable(skipUnanswerable)
        .ignoreIdenticalIds(ignoreIdenticalIds)
        .clustering(clusteringMode())
        .bitextDirection(BitextDirection.parse(direction))
        .experiments(experiments)
        .samplesPerLabel(samplesPerLabel)
        .seed(seed)
        .build();
    EmbedderConfig embedderConfig = modelOptions.configBuilder(batchOptions).attention(attentionOption.attention())
        .dimension(dimension).build();
    // Read and check the data before loading the model, so that data errors come fast.
    Evaluator evaluator = Evaluators.create(task, data, split, train, config);
    err.println("kalm eval: " + evaluator.name());
    err.flush();
    try (Embedder embedder = Embedders.load(modelOptions.model, embedderConfig)) {
      EvaluationResult result = evaluator.evaluate(embedder, progress(err));
      if (!Double.isFinite(result.mainScore())) {
        throw new IllegalStateException(result.mainScoreName() + " is undefined (" + result.mainScore() + ") for "
            + data + ": nothing to score (counts " + result.counts() + "); nothing written");
      }
      Map<String, Object> description = describe(embedder, config);
      String json = ResultFile.json(result, modelOptions.model.toString(), description);
      if (output != null) {
        ResultFile.write(output, result, modelOptions.model.toString(), description);
      }
      out.print(json);
      out.flush();
      err.printf(Locale.ROOT, "kalm eval: %s = %.5f (%.1f s)%s%n", result.mainScoreName(), result.mainScore(),
          result.evaluationSeconds(), output == null ? "" : ", written to " + output);
      err.flush();
    }
    return 0;
  }

  /** What the result file records about the embedder. */
  private static Map<String, Object> describe(Embedder embedder, EvaluationConfig config) {
    EmbedderConfig c = embedder.config();
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("pooling", c.pooling());
    d.put("attention", c.attention());
    d.put("normalize", c.normalize());
    d.put("max_length", c.maxLength());
    d.put("dimension", embedder.dimension());
    d.put("prompt", c.prompt().prefix());
    d.put("prompt_name", c.promptName());
    d.put("query_prompt", config.queryPrompt() == null ? null : config.queryPrompt().prefix());
    d.put("batch_tokens", c.batchTokens());
    d.put("device", c.device());
    return d;
  }

  /** Prints "embedded D/T texts" on stderr at each new tenth of the total, every 10 s, and at the end. */
  private static ProgressListener progress(PrintWriter err) {
    long[] last = {-1, System.nanoTime(), -1}; // tenth, time, done, of the last line printed
    return (done, total) -> {
      long tenth = total > 0 ? done * 10 / total : 0;
      long now = System.nanoTime();
      if (done != last[2] && (tenth > last[0] || done == total || now - last[1] > 10_000_000_000L)) {
        err.printf(Locale.ROOT, "kalm eval: embedded %d/%d texts%n", done, total);
        err.flush();
        last[0] = tenth;
        last[1] = now;
        last[2] = done;
      }
    };
  }

  /** Parses {@code --task}. */
  static final class TaskConverter implements CommandLine.ITypeConverter<EvaluationTask> {
    @Override
    public EvaluationTask convert(String value) {
      try {
        return EvaluationTask.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
