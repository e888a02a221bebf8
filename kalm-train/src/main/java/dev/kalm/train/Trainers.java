package dev.kalm.train;

import dev.kalm.core.device.Backends;
import dev.kalm.core.internal.model.ModelLoader;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.model.ModelFolder;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.tokenize.TextTokenizer;
import dev.kalm.train.eval.EvaluationHook;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Static factories for {@link Trainer}. */
public final class Trainers {
  private Trainers() {}

  /**
   * A contrastive trainer starting from the model folder {@code model}.
   *
   * @throws dev.kalm.core.model.ModelFormatException naming the file at fault
   */
  public static Trainer contrastive(Path model, TrainerConfig config) {
    return open(model, config, null, null);
  }

  /**
   * A contrastive trainer that runs {@code evaluation} when it is due and after the last step, reports each
   * score to the listener, and saves the best-scoring model as {@code <output>/checkpoint-best}.
   */
  public static Trainer contrastive(Path model, TrainerConfig config, EvaluationHook evaluation) {
    return open(model, config, null, evaluation);
  }

  /**
   * A contrastive trainer continuing the run saved in {@code checkpoint} (a folder written by a trainer, with
   * {@code trainer_state.json}); {@link Trainer#train} must get the same data and config to continue exactly.
   */
  public static Trainer resume(Path checkpoint, TrainerConfig config) {
    return open(checkpoint, config, checkpoint, null);
  }

  /**
   * The trainer trains the transformer with plain pooling; a folder whose sentence-transformers pipeline does more
   * (Dense modules, prompt excluded from pooling, lower-casing) would silently lose it, so it is refused.
   */
  private static void refuseUntrainedModules(ModelFolder base) {
    var modules = base.modules();
    if (!modules.dense().isEmpty()) {
      throw new IllegalArgumentException(base.path() + " has Dense module(s) " + modules.dense()
          + ": kalm trains the transformer only, and the checkpoint would lose them; remove them from modules.json first");
    }
    if (!modules.includePrompt()) {
      throw new IllegalArgumentException(base.path() + ": the pooling module has include_prompt=false, which the "
          + "trainer does not apply (it pools over the prompt too); set it to true to train this folder");
    }
    if (modules.doLowerCase()) {
      throw new IllegalArgumentException(base.path() + ": sentence_bert_config.json has do_lower_case=true, which "
          + "the trainer does not apply; set it to false to train this folder");
    }
  }

  /**
   * Like {@link #resume(Path, TrainerConfig)}, also running {@code evaluation} as
   * {@link #contrastive(Path, TrainerConfig, EvaluationHook)} does. When the output folder already holds a
   * {@code checkpoint-best} with a recorded score (from the run being continued), it is replaced only by a
   * better score, and the result reports the better of the two.
   */
  public static Trainer resume(Path checkpoint, TrainerConfig config, EvaluationHook evaluation) {
    return open(checkpoint, config, checkpoint, evaluation);
  }

  private static Trainer open(Path folder, TrainerConfig config, @Nullable Path resume,
      @Nullable EvaluationHook evaluation) {
    ModelFolder base = ModelFolder.read(folder);
    refuseUntrainedModules(base);
    if (config.pooling() == null) {
      config = config.toBuilder().pooling(base.pooling() != null ? base.pooling() : Pooling.MEAN).build();
    }
    if (resume != null) {
      TrainerState.read(resume); // fail early, naming the file, when the folder is not a checkpoint
    }
    Qwen2Config shape = config.attention() == null ? base.config() : base.config().withAttention(config.attention());
    TextTokenizer tokenizer = TextTokenizer.load(base.tokenizer());
    try {
      Qwen2Model model = ModelLoader.load(base, Backends.resolve(config.device()), shape);
      return new ContrastiveTrainer(base, config, model, tokenizer, resume, evaluation);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }
}
