package dev.kalm.core.model;

import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonObject;
import dev.kalm.core.safetensors.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A model folder in Hugging Face layout: {@code config.json}, {@code model.safetensors} (or shards listed
 * in {@code model.safetensors.index.json}), {@code tokenizer.json}, and optionally the sentence-transformers
 * files ({@code modules.json} and its modules, {@code sentence_bert_config.json},
 * {@code config_sentence_transformers.json}; see {@link SentenceTransformerModules}). Reading it validates
 * everything but the transformer's weights, which {@code ModelLoader} reads (Dense modules' weights are read here).
 * Immutable.
 *
 * @param path the folder
 * @param config the model shape
 * @param tokenizer the {@code tokenizer.json} file
 * @param pooling the pooling mode the sentence-transformers files name, or null
 * @param prompts named prompts from {@code config_sentence_transformers.json}
 * @param defaultPromptName the prompt applied by default, or null
 * @param modules the sentence-transformers pipeline (its pooling equals {@code pooling})
 */
public record ModelFolder(
    Path path,
    Qwen2Config config,
    Path tokenizer,
    @Nullable Pooling pooling,
    ImmutableMap<String, String> prompts,
    @Nullable String defaultPromptName,
    SentenceTransformerModules modules) {

  /** A folder whose only sentence-transformers setting is {@code pooling}. */
  public ModelFolder(Path path, Qwen2Config config, Path tokenizer, @Nullable Pooling pooling,
      ImmutableMap<String, String> prompts, @Nullable String defaultPromptName) {
    this(path, config, tokenizer, pooling, prompts, defaultPromptName, new SentenceTransformerModules(null, false,
        pooling, true, com.google.common.collect.ImmutableList.of(), true));
  }

  /**
   * Reads and validates a folder's metadata.
   *
   * @throws ModelFormatException naming the file at fault (and the line, field or entry): missing folder, config,
   *     tokenizer or weights, unknown model type, malformed or non-UTF-8 JSON, a config field of the wrong type or
   *     out of range, {@code modules.json} not a list of objects, a prompt that is not a string, a tokenizer with
   *     ids at or beyond {@code vocab_size}
   */
  public static ModelFolder read(Path path) {
    if (!Files.isDirectory(path)) {
      throw new ModelFormatException(path, "model folder does not exist or is not a folder");
    }
    Qwen2Config config = Qwen2Config.read(path.resolve("config.json"));
    Path tokenizer = path.resolve("tokenizer.json");
    if (!Files.isRegularFile(tokenizer)) {
      throw new ModelFormatException(tokenizer, "tokenizer missing: the model folder needs a tokenizer.json");
    }
    TokenizerIds.MaxId maxId = TokenizerIds.maxId(tokenizer);
    if (maxId.id() >= config.vocabSize()) {
      throw new ModelFormatException(tokenizer, "token id " + maxId.id() + " ('" + maxId.token() + "') is beyond vocab_size "
          + config.vocabSize() + " of " + path.resolve("config.json") + ": tokenizer and model do not belong together");
    }
    if (!Files.isRegularFile(path.resolve("model.safetensors"))
        && !Files.isRegularFile(path.resolve("model.safetensors.index.json"))) {
      throw new ModelFormatException(path.resolve("model.safetensors"),
          "weights missing: neither model.safetensors nor model.safetensors.index.json exists");
    }
    SentenceTransformerModules modules = SentenceTransformerModules.read(path, config.hiddenSize());
    ImmutableMap<String, String> prompts = ImmutableMap.of();
    String defaultPrompt = null;
    Path st = path.resolve("config_sentence_transformers.json");
    if (Files.isRegularFile(st)) {
      JsonObject json = ModelJson.readObject(st);
      JsonObject promptsJson = ModelJson.object(json, "prompts", st);
      if (promptsJson != null) {
        ImmutableMap.Builder<String, String> builder = ImmutableMap.builder();
        promptsJson.keySet().forEach(name -> builder.put(name, ModelJson.string(promptsJson, "prompts.", name, null, st)));
        prompts = builder.buildOrThrow();
      }
      defaultPrompt = ModelJson.has(json, "default_prompt_name") ? ModelJson.string(json, "default_prompt_name", null, st)
          : null;
    }
    return new ModelFolder(path, config, tokenizer, modules.pooling(), prompts, defaultPrompt, modules);
  }

  /**
   * Each stored tensor's name (as in the file, e.g. {@code model.layers.0.mlp.up_proj.weight}) and the safetensors
   * file holding it: {@code model.safetensors}, or the shards {@code model.safetensors.index.json} lists.
   *
   * @throws ModelFormatException naming the index file when it is malformed
   */
  public Map<String, Path> weightFiles() {
    Map<String, Path> fileOf = new LinkedHashMap<>();
    Path single = path.resolve("model.safetensors");
    if (Files.isRegularFile(single)) {
      try (SafetensorsFile file = SafetensorsFile.open(single)) {
        file.tensors().keySet().forEach(name -> fileOf.put(name, single));
      }
      return fileOf;
    }
    Path index = path.resolve("model.safetensors.index.json");
    JsonObject weightMap = ModelJson.object(ModelJson.readObject(index), "weight_map", index);
    if (weightMap == null) {
      throw new ModelFormatException(index, "missing object 'weight_map'");
    }
    for (String tensor : weightMap.keySet()) {
      String shardName = ModelJson.string(weightMap, tensor, null, index);
      Path shard = path.resolve(shardName).normalize();
      if (!shard.startsWith(path.normalize()) || !Files.isRegularFile(shard)) {
        throw new ModelFormatException(index, "weight_map names shard '" + shardName
            + "' for '" + tensor + "', which is not a file in the folder");
      }
      fileOf.put(tensor, shard);
    }
    return fileOf;
  }

}
