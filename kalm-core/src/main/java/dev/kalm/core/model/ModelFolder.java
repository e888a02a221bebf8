package dev.kalm.core.model;

import ai.djl.ndarray.types.Shape;
import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kalm.core.device.Backend;
import dev.kalm.core.embed.Pooling;
import dev.kalm.core.safetensors.SafetensorsFile;
import dev.kalm.core.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A model folder in Hugging Face layout: {@code config.json}, {@code model.safetensors} (or shards listed
 * in {@code model.safetensors.index.json}), {@code tokenizer.json}, and optionally the sentence-transformers
 * files ({@code modules.json} and its modules, {@code sentence_bert_config.json},
 * {@code config_sentence_transformers.json}; see {@link SentenceTransformerModules}). Reading it validates
 * everything but the transformer's weights, which {@link #loadModel} reads (Dense modules' weights are read here).
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
   * Reads the weights into a model on {@code backend}. F32, BF16 and F16 are converted to float32; names may
   * carry a {@code model.} prefix; {@code lm_head.weight} is ignored. The vocabulary size is the row count of the
   * stored {@code embed_tokens.weight} (copies of Qwen3-Embedding's config say 151669 or 151936), so the returned
   * model's {@link Qwen2Model#config()} may differ from {@code config.json} in {@code vocab_size} alone.
   *
   * <p>Every weight is checked once after loading (one reduction per tensor on the device): a NaN or infinite
   * value fails the load, naming the file and tensor. Layers beyond {@code num_hidden_layers} in the weights
   * fail the load too (the config and the checkpoint do not match).
   *
   * @throws ModelFormatException or {@link dev.kalm.core.safetensors.SafetensorsException} naming the file and
   *     tensor at fault (missing, mis-shaped, truncated, unsupported dtype, not finite, extra layers)
   */
  public Qwen2Model loadModel(Backend backend) {
    return loadModel(backend, config);
  }

  /** Like {@link #loadModel(Backend)} with {@code modelConfig} (the folder's, possibly with another attention pattern). */
  public Qwen2Model loadModel(Backend backend, Qwen2Config modelConfig) {
    return load(backend, modelConfig, false);
  }

  /**
   * Like {@link #loadModel(Backend, Qwen2Config)}, for inference only ({@link Qwen2Model#createForInference}:
   * fused projections, weights held once, not trainable).
   */
  public Qwen2Model loadInferenceModel(Backend backend, Qwen2Config modelConfig) {
    return load(backend, modelConfig, true);
  }

  private Qwen2Model load(Backend backend, Qwen2Config modelConfig, boolean inference) {
    Map<String, Path> fileOf = weightFiles();
    Map<Path, SafetensorsFile> open = new HashMap<>();
    try {
      for (Path file : new java.util.LinkedHashSet<>(fileOf.values())) {
        open.put(file, SafetensorsFile.open(file));
      }
      Map<String, String> stored = new HashMap<>(); // our name -> name in file
      for (Map.Entry<String, Path> e : fileOf.entrySet()) {
        String name = e.getKey().startsWith("model.") ? e.getKey().substring(6) : e.getKey();
        stored.put(name, e.getKey());
      }
      checkNoExtraLayers(stored, modelConfig.numLayers());
      String embedKey = stored.get("embed_tokens.weight");
      if (embedKey != null) {
        long[] embedShape = open.get(fileOf.get(embedKey)).info(embedKey).shape();
        if (embedShape.length == 2 && embedShape[0] != modelConfig.vocabSize() && embedShape[0] > 0
            && embedShape[0] <= Integer.MAX_VALUE) {
          modelConfig = modelConfig.withVocabSize((int) embedShape[0]);
        }
      }
      Qwen2Model.WeightSource source = new Qwen2Model.WeightSource() {
        @Override
        public ByteBuffer load(String name, Shape shape) {
          SafetensorsFile file = fileWith(name, shape);
          return file.floatBytes(stored.get(name));
        }

        @Override
        public void loadInto(String name, Shape shape, ByteBuffer target) {
          SafetensorsFile file = fileWith(name, shape);
          file.readFloats(stored.get(name), target);
        }

        private SafetensorsFile fileWith(String name, Shape shape) {
          String key = stored.get(name);
          if (key == null) {
            throw new ModelFormatException(path, "tensor '" + name + "' (or 'model." + name + "') is missing from the weights");
          }
          SafetensorsFile file = open.get(fileOf.get(key));
          TensorInfo info = file.info(key);
          if (!Arrays.equals(info.shape(), shape.getShape())) {
            throw new ModelFormatException(file.path(), "tensor '" + key + "' has shape " + Arrays.toString(info.shape())
                + " but config.json implies " + shape);
          }
          return file;
        }
      };
      Qwen2Model model = inference ? Qwen2Model.createForInference(modelConfig, backend, source, path.toString())
          : Qwen2Model.create(modelConfig, backend, source, path.toString());
      try {
        model.parameters().forEach((name, array) -> {
          if (!WeightCheck.isFinite(array)) {
            throw new ModelFormatException(fileOf.get(stored.get(name)), "tensor '" + stored.get(name)
                + "' contains NaN or infinite values: the checkpoint is corrupt (or training diverged)");
          }
        });
      } catch (RuntimeException e) {
        model.close();
        throw e;
      }
      return model;
    } finally {
      open.values().forEach(SafetensorsFile::close);
    }
  }

  /** Fails naming the tensors of layers {@code >= numLayers} (a checkpoint deeper than its config.json). */
  private void checkNoExtraLayers(Map<String, String> stored, int numLayers) {
    List<String> extra = stored.keySet().stream()
        .filter(name -> name.startsWith("layers."))
        .filter(name -> {
          int end = name.indexOf('.', 7);
          String index = end < 0 ? "" : name.substring(7, end);
          return !index.isEmpty() && index.chars().allMatch(Character::isDigit)
              && (index.length() > 9 || Integer.parseInt(index) >= numLayers);
        })
        .map(stored::get)
        .sorted()
        .toList();
    if (!extra.isEmpty()) {
      throw new ModelFormatException(path.resolve("config.json"), "num_hidden_layers is " + numLayers
          + " but the weights hold " + extra.size() + " tensors of further layers, e.g. "
          + extra.subList(0, Math.min(3, extra.size())) + ": config.json and the checkpoint do not match");
    }
  }

  /** Tensor name (as stored) to the safetensors file holding it. */
  private Map<String, Path> weightFiles() {
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
