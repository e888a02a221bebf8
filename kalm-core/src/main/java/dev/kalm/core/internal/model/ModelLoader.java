package dev.kalm.core.internal.model;

import ai.djl.ndarray.types.Shape;
import dev.kalm.core.device.Backend;
import dev.kalm.core.model.ModelFolder;
import dev.kalm.core.model.ModelFormatException;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.safetensors.SafetensorsFile;
import dev.kalm.core.safetensors.TensorInfo;
import dev.kalm.core.safetensors.TensorRows;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Loads a {@link ModelFolder}'s transformer weights into a {@link Qwen2Model}. Internal: for kalm's own modules. */
public final class ModelLoader {
  private ModelLoader() {}

  /**
   * Reads the weights of {@code folder} into a model on {@code backend}. F32, BF16 and F16 are converted to
   * float32; names may carry a {@code model.} prefix; {@code lm_head.weight} is ignored. The vocabulary size is
   * the row count of the stored {@code embed_tokens.weight} (copies of Qwen3-Embedding's config say 151669 or
   * 151936), so the returned model's {@link Qwen2Model#config()} may differ from {@code config.json} in
   * {@code vocab_size} alone.
   *
   * <p>Every weight is checked once after loading (one reduction per tensor on the device): a NaN or infinite
   * value fails the load, naming the file and tensor. Layers beyond {@code num_hidden_layers} in the weights
   * fail the load too (the config and the checkpoint do not match).
   *
   * @throws ModelFormatException or {@link dev.kalm.core.safetensors.SafetensorsException} naming the file and
   *     tensor at fault (missing, mis-shaped, truncated, unsupported dtype, not finite, extra layers)
   */
  public static Qwen2Model load(ModelFolder folder, Backend backend) {
    return load(folder, backend, folder.config());
  }

  /**
   * Like {@link #load(ModelFolder, Backend)} with {@code modelConfig} (the folder's, possibly with another attention
   * pattern).
   */
  public static Qwen2Model load(ModelFolder folder, Backend backend, Qwen2Config modelConfig) {
    return load(folder, backend, modelConfig, false);
  }

  /**
   * Like {@link #load(ModelFolder, Backend, Qwen2Config)}, for inference only ({@link Qwen2Model#createForInference}:
   * fused projections, weights held once, the token embedding table's rows read from the file as batches
   * use them, not trainable).
   */
  public static Qwen2Model loadForInference(ModelFolder folder, Backend backend, Qwen2Config modelConfig) {
    return load(folder, backend, modelConfig, true);
  }

  private static Qwen2Model load(ModelFolder folder, Backend backend, Qwen2Config modelConfig, boolean inference) {
    Map<String, Path> fileOf = folder.weightFiles();
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
      checkNoExtraLayers(folder, stored, modelConfig.numLayers());
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

        @Override
        public TensorRows rows(String name, Shape shape) {
          SafetensorsFile file = fileWith(name, shape);
          if (!file.allFinite(stored.get(name))) { // checked here: the rows are not among the model's parameters
            throw notFinite(file.path(), stored.get(name));
          }
          return file.rows(stored.get(name));
        }

        private SafetensorsFile fileWith(String name, Shape shape) {
          String key = stored.get(name);
          if (key == null) {
            throw new ModelFormatException(folder.path(), "tensor '" + name + "' (or 'model." + name + "') is missing from the weights");
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
      Qwen2Model model = inference ? Qwen2Model.createForInference(modelConfig, backend, source, folder.path().toString())
          : Qwen2Model.create(modelConfig, backend, source, folder.path().toString());
      try {
        model.parameters().forEach((name, array) -> {
          if (!WeightCheck.isFinite(array)) {
            throw notFinite(fileOf.get(stored.get(name)), stored.get(name));
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

  private static ModelFormatException notFinite(Path file, String tensor) {
    return new ModelFormatException(file, "tensor '" + tensor
        + "' contains NaN or infinite values: the checkpoint is corrupt (or training diverged)");
  }

  /** Fails naming the tensors of layers {@code >= numLayers} (a checkpoint deeper than its config.json). */
  private static void checkNoExtraLayers(ModelFolder folder, Map<String, String> stored, int numLayers) {
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
      throw new ModelFormatException(folder.path().resolve("config.json"), "num_hidden_layers is " + numLayers
          + " but the weights hold " + extra.size() + " tensors of further layers, e.g. "
          + extra.subList(0, Math.min(3, extra.size())) + ": config.json and the checkpoint do not match");
    }
  }
}
