package dev.kalm.examples.cli;

import dev.kalm.core.device.Backends;
import dev.kalm.core.model.Prompt;
import dev.kalm.data.example.ExampleReader;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.sampler.BatchSampler;
import dev.kalm.data.sampler.BatchSamplers;
import dev.kalm.data.sampler.SamplerConfig;
import dev.kalm.examples.bench.Machine;
import dev.kalm.examples.console.ProgressBar;
import dev.kalm.train.Provenance;
import dev.kalm.train.StepReport;
import dev.kalm.train.Trainer;
import dev.kalm.train.TrainerConfig;
import dev.kalm.train.Trainers;
import dev.kalm.train.TrainingListener;
import dev.kalm.train.TrainingLog;
import dev.kalm.train.TrainingResult;
import dev.kalm.train.eval.EvaluationConfig;
import dev.kalm.train.eval.EvaluationHook;
import dev.kalm.train.eval.EvaluationHooks;
import dev.kalm.train.eval.EvaluationTask;
import dev.kalm.train.eval.Evaluators;
import dev.kalm.train.optim.LrSchedule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kalm train}: contrastive fine-tuning on training JSON Lines. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Fine-tune a model contrastively.",
    description = "InfoNCE with in-batch and hard negatives, optionally with the Matryoshka loss. Writes the final "
        + "model to --output, checkpoints to --output/checkpoint-<step> and, with --eval-data, the best-scoring "
        + "model to --output/checkpoint-best.")
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ModelOptions modelOptions;

  @Option(names = "--data", paramLabel = "PATH", required = true, description = "Training JSON Lines ({\"query\",\"pos\",\"neg\"}) or a folder of them.")
  Path data;

  @Option(names = "--output", paramLabel = "DIR", required = true, description = "Model folder to write.")
  Path output;

  @ArgGroup(exclusive = true)
  Length length;

  static final class Length {
    @Option(names = "--steps", paramLabel = "N", converter = Counts.PositiveLong.class,
        description = "Optimizer steps, at least 1 (default: --epochs).") Long steps;
    @Option(names = "--epochs", paramLabel = "N", converter = Counts.PositiveInt.class,
        description = "Passes over the data, at least 1 (default: 1).") Integer epochs;
  }

  @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16", description = "Queries per batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--hard-negatives", paramLabel = "N", defaultValue = "7", description = "Hard negatives per query (default: ${DEFAULT-VALUE}).")
  int hardNegatives;

  @Option(names = "--lr", paramLabel = "X", defaultValue = "1e-5", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--schedule", paramLabel = "constant|linear|cosine", defaultValue = "linear", description = "Learning-rate schedule after the warm-up (default: ${DEFAULT-VALUE}).")
  String schedule;

  @ArgGroup(exclusive = true)
  Warmup warmup;

  static final class Warmup {
    @Option(names = "--warmup-ratio", paramLabel = "X", description = "Warm-up fraction of all steps (default: 0.1).") Double ratio;
    @Option(names = "--warmup-steps", paramLabel = "N", converter = Counts.NonNegativeLong.class,
        description = "Warm-up steps; 0 = none, the first step at the full rate (default: --warmup-ratio).") Long steps;
  }

  @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0.01", description = "AdamW weight decay, not on norms/biases (default: ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(names = "--temperature", paramLabel = "X", defaultValue = "0.05", description = "InfoNCE temperature (default: ${DEFAULT-VALUE}; KaLM uses 0.01).")
  double temperature;

  @Option(names = "--mrl-dims", paramLabel = "N", split = ",", description = "Matryoshka dimensions, e.g. 896,512,256,128,64 (default: none, no Matryoshka loss).")
  List<Integer> mrlDims;

  @Option(names = "--mrl-weights", paramLabel = "X", split = ",", description = "Matryoshka loss weights, e.g. 1,0.3,0.2,0.1,0.1 (default: all 1).")
  List<Double> mrlWeights;

  @Option(names = "--grad-clip", paramLabel = "X", defaultValue = "1.0", description = "Global gradient-norm clip, 0 = off (default: ${DEFAULT-VALUE}).")
  double gradClip;

  @Option(names = "--grad-accumulation", paramLabel = "N", defaultValue = "1", description = "Micro-batches per step (default: ${DEFAULT-VALUE}).")
  int gradAccumulation;

  @Option(names = "--grad-cache-chunk", paramLabel = "N", defaultValue = "0",
      description = "Sequences per forward pass with gradient caching; 0 = off (default: ${DEFAULT-VALUE}).")
  int gradCacheChunk;

  @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of shuffling and sampling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--no-shuffle", description = "Keep file order (batches in input order every epoch).")
  boolean noShuffle;

  @Option(names = "--sampler", paramLabel = "random|task", defaultValue = "random", description = "How batches are drawn: random, or task for semi-homogeneous task batches "
      + "(default: ${DEFAULT-VALUE}).")
  String sampler;

  @Option(names = "--homogeneous-ratio", paramLabel = "X", defaultValue = "0.5", description = "Share of each task batch kept single-task (default: ${DEFAULT-VALUE}).")
  double homogeneousRatio;

  @Option(names = "--query-instruction", paramLabel = "TEXT", description = "Instruction for queries without their own, in KaLM's template (default: none).")
  String queryInstruction;

  @Option(names = "--save-every", paramLabel = "N", defaultValue = "0", description = "Checkpoint every N steps; 0 = only at the end (default: ${DEFAULT-VALUE}).")
  long saveEvery;

  @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run saved in this checkpoint folder, with the same data and options "
      + "(default: start from --model).")
  Path resume;

  @Option(names = "--log", paramLabel = "FILE", description = "Write a JSON Lines log to this file, one object per step (default: none).")
  Path log;

  @Option(names = "--eval-data", paramLabel = "PATH", description = "Evaluate on this data every --eval-every steps and keep the best model as "
      + "<output>/checkpoint-best (default: no evaluation).")
  Path evalData;

  @Option(names = "--eval-task", paramLabel = "TASK", defaultValue = "retrieval", converter = EvalCommand.TaskConverter.class,
      description = "Task of --eval-data: retrieval | bitext | sts | pair | classification | clustering | reranking (default: ${DEFAULT-VALUE}).")
  EvaluationTask evalTask;

  @Option(names = "--eval-split", paramLabel = "NAME", defaultValue = "test", description = "Split of --eval-data (default: ${DEFAULT-VALUE}).")
  String evalSplit;

  @Option(names = "--eval-every", defaultValue = "100", paramLabel = "N", description = "Steps between evaluations (default: ${DEFAULT-VALUE}).")
  int evalEvery;

  @Option(names = "--lenient", description = "Skip and count bad data lines instead of stopping.")
  boolean lenient;

  @picocli.CommandLine.Mixin AttentionOption attentionOption;

  @picocli.CommandLine.Mixin RecipeOption recipeOption;

  @Override
  public Integer call() {
    TrainerConfig config = config();
    OutputPaths.checkFolder("--output", output);
    OutputPaths.checkFile("--log", log);
    ExampleReader reader = lenient ? ExampleReader.lenient() : ExampleReader.strict();
    List<TrainingExample> examples = reader.readAll(data);
    System.err.printf(Locale.ROOT, "kalm train: %s (%s), %s%n", reader.report().summary(), data, config.sampler());
    EvaluationHook evaluation = null;
    if (evalData != null) {
      EvaluationConfig evalConfig = EvaluationConfig.builder()
          .queryPrompt(queryInstruction == null ? Prompt.none() : Prompt.instruction(queryInstruction)).build();
      evaluation = EvaluationHooks.every(evalEvery, Evaluators.create(evalTask, evalData, evalSplit, null, evalConfig));
    }
    try (Trainer trainer = open(config, evaluation);
        TrainingLog trainingLog = log == null ? null : TrainingLog.open(log)) {
      ProgressBar bar = ProgressBar.stderr("train");
      long[] tokens = {0};
      double[] seconds = {0};
      TrainingResult result = trainer.train(examples, output, new TrainingListener() {
        long total;

        @Override
        public void onStart(long totalSteps, long startStep) {
          total = totalSteps;
          bar.progress(startStep, totalSteps);
        }

        @Override
        public void onEvaluation(long step, String name, double mainScore) {
          System.err.printf(Locale.ROOT, "%nstep %d: %s main score %.4f%n", step, name, mainScore);
          if (trainingLog != null) {
            trainingLog.onEvaluation(step, name, mainScore);
          }
        }

        @Override
        public void onStep(StepReport r) {
          bar.progress(r.step(), total);
          tokens[0] += (long) (r.tokensPerSecond() * r.seconds());
          seconds[0] += r.seconds();
          if (trainingLog != null) {
            trainingLog.onStep(r);
          }
        }
      });
      bar.finish();
      if (result.stopped()) {
        System.err.println(stopLine(result));
        return SignalStop.stoppedExitCode();
      }
      if (result.bestCheckpoint() != null) {
        System.err.printf(Locale.ROOT, "kalm train: best evaluation score %.4f, model in %s%n", result.bestScore(),
            result.bestCheckpoint());
      }
      System.err.printf(Locale.ROOT, "kalm train: %d steps, loss %.4f -> %.4f in %.1f s; model in %s%n", result.steps(),
          result.firstLoss(), result.lastLoss(), result.seconds(), result.output());
      if (seconds[0] > 0) {
        System.err.printf(Locale.ROOT, "kalm train: %.0f tokens/s; matmul peak of this machine now %.1f GFLOP/s%n",
            tokens[0] / seconds[0], Machine.matmulGflops(Backends.cpu(), 1024));
      }
    }
    return 0;
  }

  /**
   * The one line a stopped run prints: {@code kalm train: stopping after step N; checkpoint in DIR; resume with:
   * kalm train <these arguments> --resume DIR}.
   */
  private String stopLine(TrainingResult result) {
    if (result.checkpoint() == null) {
      return "kalm train: stopped by " + SignalStop.cause() + " before the first step; nothing to resume: run the same "
          + "command again";
    }
    String dir = result.checkpoint().toString();
    List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
    int at = args.indexOf(spec.name());
    List<String> own = new ArrayList<>(args.subList(at + 1, args.size()));
    for (int i = 0; i < own.size(); i++) {
      if (own.get(i).equals("--resume") && i + 1 < own.size()) {
        own.remove(i + 1);
        own.remove(i--);
      } else if (own.get(i).startsWith("--resume=")) {
        own.remove(i--);
      }
    }
    own.add("--resume");
    own.add(dir);
    return String.format(Locale.ROOT, "kalm train: stopping after step %d (%s); checkpoint in %s; resume with: kalm train %s",
        result.steps(), SignalStop.cause(), dir, own.stream().map(TrainCommand::shellQuoted).collect(Collectors.joining(" ")));
  }

  /** {@code arg} as one shell word: unchanged when it is plain, else in single quotes. */
  static String shellQuoted(String arg) {
    return !arg.isEmpty() && arg.matches("[A-Za-z0-9_./:=,@%+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
  }

  /** The trainer: fresh from --model or continuing --resume, with the evaluation hook when there is one. */
  private Trainer open(TrainerConfig config, @Nullable EvaluationHook evaluation) {
    if (resume != null) {
      return evaluation == null ? Trainers.resume(resume, config) : Trainers.resume(resume, config, evaluation);
    }
    return evaluation == null ? Trainers.contrastive(modelOptions.model, config)
        : Trainers.contrastive(modelOptions.model, config, evaluation);
  }

  TrainerConfig config() {
    TrainerConfig.Builder b = TrainerConfig.builder()
        .hardNegatives(hardNegatives).learningRate(lr).schedule(LrSchedule.parse(schedule)).weightDecay(weightDecay)
        .temperature(temperature).maxLength(maxLength()).gradClip(gradClip).gradAccumulation(gradAccumulation)
        .gradCacheChunk(gradCacheChunk).seed(seed).queryInstruction(queryInstruction).saveEvery(saveEvery)
        .sampler(sampler()).createdBy(Provenance.CLI);
    if (length != null && length.steps != null) {
      b.steps(length.steps);
    } else if (length != null && length.epochs != null) {
      b.epochs(length.epochs);
    }
    if (warmup != null && warmup.steps != null) {
      b.warmupSteps(warmup.steps);
    } else if (warmup != null && warmup.ratio != null) {
      b.warmupRatio(warmup.ratio);
    }
    if (mrlDims != null) {
      List<Double> weights = mrlWeights != null ? mrlWeights
          : mrlDims.stream().map(d -> 1.0).collect(Collectors.toList());
      b.matryoshka(mrlDims, weights);
    } else if (mrlWeights != null) {
      throw new IllegalArgumentException("--mrl-weights needs --mrl-dims");
    }
    b.device(modelOptions.device());
    b.attention(attentionOption.attention());
    recipeOption.applyUnlessGiven(b, modelOptions.model);
    return b.build();
  }

  /** {@code --max-length}, where 0 means the model folder's {@code max_seq_length}, else 512. */
  private int maxLength() {
    if (modelOptions.maxLength > 0) {
      return modelOptions.maxLength;
    }
    Integer folder = dev.kalm.core.model.ModelFolder.read(modelOptions.model).modules().maxSeqLength();
    return folder != null ? folder : dev.kalm.core.embed.EmbedderConfig.DEFAULT_MAX_LENGTH;
  }

  private BatchSampler sampler() {
    if (noShuffle) {
      return BatchSamplers.sequential(SamplerConfig.builder().batchSize(batchSize).build());
    }
    switch (sampler.toLowerCase(Locale.ROOT)) {
      case "random":
        return BatchSamplers.random(SamplerConfig.builder().batchSize(batchSize).build());
      case "task":
        return BatchSamplers.semiHomogeneous(
            SamplerConfig.builder().batchSize(batchSize).homogeneousRatio(homogeneousRatio).build());
      default:
        throw new IllegalArgumentException("--sampler must be random or task, got '" + sampler + "' (valid: "
            + Arrays.asList("random", "task") + ")");
    }
  }
}
