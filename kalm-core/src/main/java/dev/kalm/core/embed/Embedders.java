package dev.kalm.core.embed;

import static com.google.common.base.Preconditions.checkArgument;

import dev.kalm.core.device.Backend;
import dev.kalm.core.device.Backends;
import dev.kalm.core.internal.embed.Qwen2Embedder;
import dev.kalm.core.internal.model.ModelLoader;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.model.Attention;
import dev.kalm.core.model.ModelFolder;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.tokenize.TextTokenizer;
import java.nio.file.Path;

/**
 * Static factories for {@link Embedder}.
 *
 * <pre>{@code
 * EmbedderConfig config = EmbedderConfig.builder().dimension(256).device(DeviceChoice.CPU).build();
 * try (Embedder embedder = Embedders.load(Path.of("KaLM-embedding-multilingual-mini-instruct-v1.5"), config)) {
 *   float[][] vectors = embedder.embed(List.of("hello", "world"));
 * }
 * }</pre>
 */
public final class Embedders {
  private Embedders() {}

  /**
   * Loads a model folder (Hugging Face + optional sentence-transformers layout). Settings left null (or 0) in
   * {@code config} come from the folder: pooling from the pooling module, the default prompt from
   * {@code config_sentence_transformers.json}, attention from {@code config.json}, the max length from
   * {@code sentence_bert_config.json}. The folder's {@code do_lower_case}, {@code include_prompt} and Dense modules
   * are applied as sentence-transformers applies them (see {@link dev.kalm.core.model.SentenceTransformerModules}).
   *
   * @throws dev.kalm.core.model.ModelFormatException naming the file at fault
   * @throws IllegalArgumentException for a dimension above the output width or an unknown prompt name
   * @throws IllegalStateException for device gpu without a CUDA libtorch
   */
  public static Embedder load(Path folder, EmbedderConfig config) {
    ModelFolder model = ModelFolder.read(folder);
    EmbedderConfig resolved = resolve(config, model);
    Backend backend = Backends.resolve(config.device());
    TextTokenizer tokenizer = TextTokenizer.load(model.tokenizer());
    try {
      Qwen2Model qwen = ModelLoader.loadForInference(model, backend, model.config().withAttention(resolved.attention()));
      try {
        return Qwen2Embedder.owning(qwen, tokenizer, resolved, model.modules());
      } catch (RuntimeException e) {
        qwen.close();
        throw e;
      }
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  /** {@code config} with the folder's defaults filled in and the dimension made explicit. */
  static EmbedderConfig resolve(EmbedderConfig config, ModelFolder folder) {
    Prompt prompt;
    if (config.promptName() != null) {
      prompt = Prompt.raw(namedPrompt(folder, config.promptName()));
    } else if (config.prompt() != null) {
      prompt = config.prompt();
    } else if (folder.defaultPromptName() != null) {
      prompt = Prompt.raw(namedPrompt(folder, folder.defaultPromptName()));
    } else {
      prompt = Prompt.none();
    }
    Pooling pooling = config.pooling() != null ? config.pooling() : folder.pooling() != null ? folder.pooling() : Pooling.MEAN;
    Attention attention = config.attention() != null ? config.attention() : folder.config().attention();
    return config.toBuilder()
        .pooling(pooling)
        .attention(attention)
        .prompt(prompt)
        .maxLength(config.maxLength() != 0 ? config.maxLength()
            : folder.modules().maxSeqLength() != null ? folder.modules().maxSeqLength()
            : EmbedderConfig.DEFAULT_MAX_LENGTH)
        .dimension(Qwen2Embedder.checkedDimension(config.dimension(),
            folder.modules().outputDimension(folder.config().hiddenSize())))
        .build();
  }

  private static String namedPrompt(ModelFolder folder, String name) {
    String text = folder.prompts().get(name);
    checkArgument(text != null, "prompt '%s' is not defined in %s/config_sentence_transformers.json (defined: %s)",
        name, folder.path(), folder.prompts().keySet());
    return text;
  }
}
