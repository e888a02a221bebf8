package dev.kalm.examples.cli;

import dev.kalm.core.model.ModelFolder;
import dev.kalm.data.sampler.BatchSamplers;
import dev.kalm.data.sampler.SamplerConfig;
import dev.kalm.train.TrainerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code kalm train --recipe kalm}: start from {@link TrainerConfig.Recipe#KALM} (KaLM-Embedding's training script)
 * instead of kalm's defaults; an option given on the command line still wins over the recipe's value.
 */
final class RecipeOption {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--recipe", paramLabel = "NAME", description = {
      "Start from a named recipe instead of the defaults shown (default: none); options given explicitly still win. "
          + "Recipes: kalm = KaLM-Embedding's training script:",
      "  temperature 0.01 (its --temperature), 7 hard negatives (--train_group_size 8),",
      "  Matryoshka 896,512,256,128,64 weighted 1,0.3,0.2,0.1,0.1, clipped to the model width,",
      "  batch size 48 (per_device_train_batch_size), task batches (--sampler task) with",
      "  --homogeneous-ratio 0.5 and the incomplete last batch dropped (train/data.py),",
      "  mean pooling, lr 1e-5, warm-up ratio 0.1, 1 epoch, max length 512 (train.sh),",
      "  linear schedule, weight decay 0.0, gradient clip 1.0 (transformers defaults)."})
  @Nullable String recipe;

  /**
   * Applies the recipe to {@code b}, then re-applies every recipe-covered option the user gave explicitly, so
   * explicit options win. Does nothing without {@code --recipe}.
   *
   * @param model the starting model folder, whose width clips the Matryoshka dims
   * @throws IllegalArgumentException for an unknown recipe name
   */
  void applyUnlessGiven(TrainerConfig.Builder b, Path model) {
    if (recipe == null) {
      return;
    }
    if (!recipe.toLowerCase(Locale.ROOT).equals("kalm")) {
      throw new IllegalArgumentException("--recipe must be kalm, got '" + recipe + "'");
    }
    TrainerConfig explicit = b.build();
    ModelFolder folder = ModelFolder.read(model);
    TrainerConfig.Recipe.KALM.applyTo(b, folder.modules().outputDimension(folder.config().hiddenSize()));
    CommandLine.ParseResult given = spec.commandLine().getParseResult();
    if (given.hasMatchedOption("--temperature")) {
      b.temperature(explicit.temperature());
    }
    if (given.hasMatchedOption("--hard-negatives")) {
      b.hardNegatives(explicit.hardNegatives());
    }
    if (given.hasMatchedOption("--mrl-dims") || given.hasMatchedOption("--mrl-weights")) {
      b.matryoshka(explicit.matryoshkaDims(), explicit.matryoshkaWeights());
    }
    if (given.hasMatchedOption("--sampler") || given.hasMatchedOption("--no-shuffle")) {
      b.sampler(explicit.sampler());
    } else if (given.hasMatchedOption("--batch-size") || given.hasMatchedOption("--homogeneous-ratio")) {
      int batch = given.hasMatchedOption("--batch-size") ? explicit.batchSize() : 48;
      double ratio = given.hasMatchedOption("--homogeneous-ratio")
          ? given.matchedOptionValue("--homogeneous-ratio", 0.5) : 0.5;
      b.sampler(BatchSamplers.semiHomogeneous(
          SamplerConfig.builder().batchSize(batch).homogeneousRatio(ratio).dropLast(true).build()));
    }
    if (given.hasMatchedOption("--lr")) {
      b.learningRate(explicit.learningRate());
    }
    if (given.hasMatchedOption("--schedule")) {
      b.schedule(explicit.schedule());
    }
    for (String warmup : List.of("--warmup-ratio", "--warmup-steps")) {
      if (given.hasMatchedOption(warmup)) {
        b.warmupRatio(explicit.warmupRatio()).warmupSteps(explicit.warmupSteps());
      }
    }
    if (given.hasMatchedOption("--epochs")) {
      b.epochs(explicit.epochs());
    }
    if (given.hasMatchedOption("--max-length")) {
      b.maxLength(explicit.maxLength());
    }
    if (given.hasMatchedOption("--weight-decay")) {
      b.weightDecay(explicit.weightDecay());
    }
    if (given.hasMatchedOption("--grad-clip")) {
      b.gradClip(explicit.gradClip());
    }
  }
}
