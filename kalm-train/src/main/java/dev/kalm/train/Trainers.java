package dev.kalm.train;

import dev.kalm.core.device.Backends;
import dev.kalm.core.model.ModelFolder;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.model.Qwen2Model;
import dev.kalm.core.tokenize.TextTokenizer;
import dev.kalm.train.eval.EvaluationHook;
import java.nio.file.Path;

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
   * Like {@link #resume(Path, TrainerConfig)}, also running {@code evaluation} as
   * {@link #contrastive(Path, TrainerConfig, EvaluationHook)} does. When the output folder already holds a
   * {@code checkpoint-best} with a recorded score (from the run being continued), it is replaced only by a
   * better score, and the result reports the better of the two.
   */
  public static Trainer resume(Path checkpoint, TrainerConfig config, EvaluationHook evaluation) {
    return open(checkpoint, config, checkpoint, evaluation);
  }

  private static Trainer open(Path folder, TrainerConfig config, Path resume, EvaluationHook evaluation) {
    ModelFolder base = ModelFolder.read(folder);
    if (resume != null) {
      TrainerState.read(resume); // fail early, naming the file, when the folder is not a checkpoint
    }
    Qwen2Config shape = config.attention() == null ? base.config() : base.config().withAttention(config.attention());
    TextTokenizer tokenizer = TextTokenizer.load(base.tokenizer());
    try {
      Qwen2Model model = base.loadModel(Backends.resolve(config.device()), shape);
      return new ContrastiveTrainer(base, config, model, tokenizer, resume, evaluation);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }
}
