package dev.kalm.examples.cli;

import com.google.gson.JsonObject;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.data.example.ExampleReader;
import dev.kalm.examples.bench.Machine;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.sampler.BatchSampler;
import dev.kalm.data.sampler.BatchSamplers;
import dev.kalm.train.StepReport;
import dev.kalm.train.Trainer;
import dev.kalm.train.TrainerConfig;
import dev.kalm.train.Trainers;
import dev.kalm.train.TrainingListener;
import dev.kalm.train.TrainingResult;
import dev.kalm.core.embed.Prompt;
import dev.kalm.train.eval.EvaluationConfig;
import dev.kalm.train.eval.EvaluationHook;
import dev.kalm.train.eval.EvaluationHooks;
import dev.kalm.train.eval.EvaluationTask;
import dev.kalm.train.eval.Evaluators;
import dev.kalm.train.optim.LrSchedule;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kalm train}: contrastive fine-tuning on training JSON Lines. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Fine-tune a model contrastively (InfoNCE with in-batch and hard negatives, optional Matryoshka loss).",
        "Writes the final model to --output and checkpoints to --output/checkpoint-<step>."})
final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "starting model folder (e.g. from `kalm init`)")
  Path model;

  @Option(names = "--data", required = true, description = "training JSON Lines ({\"query\",\"pos\",\"neg\"}) or a folder of them")
  Path data;

  @Option(names = "--output", required = true, description = "model folder to write")
  Path output;

  @ArgGroup(exclusive = true)
  Length length;

  static final class Length {
    @Option(names = "--steps", description = "optimizer steps") long steps;
    @Option(names = "--epochs", description = "passes over the data (default: 1)") int epochs;
  }

  @Option(names = "--batch-size", defaultValue = "16", description = "queries per batch (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Option(names = "--hard-negatives", defaultValue = "7", description = "hard negatives per query (default: ${DEFAULT-VALUE})")
  int hardNegatives;

  @Option(names = "--lr", defaultValue = "1e-5", description = "peak learning rate (default: ${DEFAULT-VALUE})")
  double lr;

  @Option(names = "--schedule", defaultValue = "linear", description = "constant | linear | cosine (default: ${DEFAULT-VALUE})")
  String schedule;

  @ArgGroup(exclusive = true)
  Warmup warmup;

  static final class Warmup {
    @Option(names = "--warmup-ratio", description = "warm-up fraction of all steps (default: 0.1)") Double ratio;
    @Option(names = "--warmup-steps", description = "warm-up steps") Long steps;
  }

  @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW weight decay, not on norms/biases (default: ${DEFAULT-VALUE})")
  double weightDecay;

  @Option(names = "--temperature", defaultValue = "0.05", description = "InfoNCE temperature (default: ${DEFAULT-VALUE}; KaLM uses 0.01)")
  double temperature;

  @Option(names = "--mrl-dims", split = ",", description = "Matryoshka dims, e.g. 896,512,256,128,64")
  List<Integer> mrlDims;

  @Option(names = "--mrl-weights", split = ",", description = "Matryoshka loss weights, e.g. 1,0.3,0.2,0.1,0.1 (default: all 1)")
  List<Double> mrlWeights;

  @Option(names = "--max-length", defaultValue = "512", description = "tokens per text (default: ${DEFAULT-VALUE})")
  int maxLength;

  @Option(names = "--grad-clip", defaultValue = "1.0", description = "global gradient-norm clip, 0 = off (default: ${DEFAULT-VALUE})")
  double gradClip;

  @Option(names = "--grad-accumulation", defaultValue = "1", description = "micro-batches per step (default: ${DEFAULT-VALUE})")
  int gradAccumulation;

  @Option(names = "--grad-cache-chunk", defaultValue = "0",
      description = "sequences per forward pass with gradient caching; 0 = off (default: ${DEFAULT-VALUE})")
  int gradCacheChunk;

  @Option(names = "--seed", defaultValue = "42", description = "seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--no-shuffle", description = "keep file order (batches in input order every epoch)")
  boolean noShuffle;

  @Option(names = "--sampler", defaultValue = "random", description = "random | task (semi-homogeneous task batches) (default: ${DEFAULT-VALUE})")
  String sampler;

  @Option(names = "--homogeneous-ratio", defaultValue = "0.5", description = "share of each task batch kept single-task (default: ${DEFAULT-VALUE})")
  double homogeneousRatio;

  @Option(names = "--query-instruction", description = "instruction for queries without their own (KaLM template)")
  String queryInstruction;

  @Option(names = "--save-every", defaultValue = "0", description = "checkpoint every N steps; 0 = only at the end")
  long saveEvery;

  @Option(names = "--resume", description = "continue the run saved in this checkpoint folder (same data and options)")
  Path resume;

  @Option(names = "--log", description = "JSON Lines log, one object per step")
  Path log;

  @Option(names = "--device", converter = DeviceOption.class, description = "auto | cpu | gpu (default: auto)")
  DeviceChoice device;

  @Option(names = "--eval-data", description = "evaluate on this data every --eval-every steps and keep the best model as <output>/checkpoint-best")
  Path evalData;

  @Option(names = "--eval-task", defaultValue = "retrieval", converter = EvalCommand.TaskConverter.class,
      description = "task of --eval-data: retrieval | bitext | sts | pair | classification | clustering | reranking (default: ${DEFAULT-VALUE})")
  EvaluationTask evalTask;

  @Option(names = "--eval-split", defaultValue = "test", description = "split of --eval-data (default: ${DEFAULT-VALUE})")
  String evalSplit;

  @Option(names = "--eval-every", defaultValue = "100", description = "steps between evaluations (default: ${DEFAULT-VALUE})")
  int evalEvery;

  @Option(names = "--lenient", description = "skip and count bad data lines instead of stopping")
  boolean lenient;

  @Override
  public Integer call() throws IOException {
    TrainerConfig config = config();
    ExampleReader reader = lenient ? ExampleReader.lenient() : ExampleReader.strict();
    List<TrainingExample> examples = reader.readAll(data);
    System.err.printf(Locale.ROOT, "kalm train: %,d examples from %s (%s), %s%n", examples.size(), data, reader.report(),
        config.sampler());
    EvaluationHook evaluation = null;
    if (evalData != null) {
      if (resume != null) {
        throw new IllegalArgumentException("--eval-data cannot be combined with --resume");
      }
      EvaluationConfig evalConfig = EvaluationConfig.builder()
          .queryPrompt(queryInstruction == null ? Prompt.none() : Prompt.instruction(queryInstruction)).build();
      evaluation = EvaluationHooks.every(evalEvery, Evaluators.create(evalTask, evalData, evalSplit, null, evalConfig));
    }
    try (Trainer trainer = resume != null ? Trainers.resume(resume, config)
            : evaluation != null ? Trainers.contrastive(model, config, evaluation) : Trainers.contrastive(model, config);
        BufferedWriter writer = log == null ? null : Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      logWriter = writer;
      ProgressBar bar = ProgressBar.stderr("train");
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
          writeLog(step, "eval_main_score", mainScore);
        }

        @Override
        public void onStep(StepReport r) {
          bar.progress(r.step(), total);
          tokens += (long) (r.tokensPerSecond() * r.seconds());
          seconds += r.seconds();
          JsonObject line = new JsonObject();
          line.addProperty("step", r.step());
          line.addProperty("epoch", r.epoch());
          line.addProperty("loss", r.loss());
          line.addProperty("lr", r.learningRate());
          line.addProperty("grad_norm", r.gradNorm());
          line.addProperty("tokens_per_s", r.tokensPerSecond());
          line.addProperty("seconds", r.seconds());
          line.addProperty("resident_mib", Machine.residentMib());
          writeLine(line);
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
      if (seconds > 0) {
        System.err.printf(Locale.ROOT, "kalm train: %.0f tokens/s; matmul peak of this machine now %.1f GFLOP/s%n",
            tokens / seconds, Machine.matmulGflops(dev.kalm.core.device.Backends.cpu(), 1024));
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

  private BufferedWriter logWriter;
  private long tokens;
  private double seconds;

  private void writeLog(long step, String field, double value) {
    JsonObject line = new JsonObject();
    line.addProperty("step", step);
    line.addProperty(field, value);
    writeLine(line);
  }

  private void writeLine(JsonObject line) {
    if (logWriter != null) {
      try {
        logWriter.write(line + "\n");
        logWriter.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write log " + log, e);
      }
    }
  }

  TrainerConfig config() {
    TrainerConfig.Builder b = TrainerConfig.builder()
        .hardNegatives(hardNegatives).learningRate(lr).schedule(LrSchedule.parse(schedule)).weightDecay(weightDecay)
        .temperature(temperature).maxLength(maxLength).gradClip(gradClip).gradAccumulation(gradAccumulation)
        .gradCacheChunk(gradCacheChunk).seed(seed).queryInstruction(queryInstruction).saveEvery(saveEvery)
        .sampler(sampler());
    if (length != null && length.steps > 0) {
      b.steps(length.steps);
    } else if (length != null && length.epochs > 0) {
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
    if (device != null) {
      b.device(device);
    }
    return b.build();
  }

  private BatchSampler sampler() {
    if (noShuffle) {
      return BatchSamplers.sequential(batchSize, false);
    }
    switch (sampler.toLowerCase(Locale.ROOT)) {
      case "random":
        return BatchSamplers.random(batchSize, false);
      case "task":
        return BatchSamplers.semiHomogeneous(batchSize, homogeneousRatio, false);
      default:
        throw new IllegalArgumentException("--sampler must be random or task, got '" + sampler + "' (valid: "
            + Arrays.asList("random", "task") + ")");
    }
  }
}
