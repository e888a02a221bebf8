package dev.kalm.core.internal.model;

import dev.kalm.core.device.Backend;
import dev.kalm.core.model.ModelFolder;
import dev.kalm.core.model.ModelFormatException;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.safetensors.SafetensorsFile;
import dev.kalm.core.safetensors.TensorInfo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Loads a {@link ModelFolder}'s transformer weights into a {@link Qwen2Model}. Internal: for kalm's own modules. */
public final class ModelLoader {
  private ModelLoader() {}

  /**
   * Reads the weights of {@code folder} into a model on {@code backend}. F32, BF16 and F16 are converted to
   * float32; names may carry a {@code model.} prefix; {@code lm_head.weight} is ignored. The vocabulary size is the row count of the
   * stored {@code embed_tokens.weight} (copies of Qwen3-Embedding's config say 151669 or 151936), so the returned
   * model's {@link Qwen2Model#config()} may differ from {@code config.json} in {@code vocab_size} alone.
   *
   * @throws ModelFormatException or {@link dev.kalm.core.safetensors.SafetensorsException} naming the file and
   *     tensor at fault (missing, mis-shaped, truncated, unsupported dtype)
   */
  public static Qwen2Model load(ModelFolder folder, Backend backend) {
    return load(folder, backend, folder.config());
  }

  /**
   * Like {@link #load(ModelFolder, Backend)} with {@code modelConfig} (the folder's, possibly with another attention
   * pattern).
   */
  public static Qwen2Model load(ModelFolder folder, Backend backend, Qwen2Config modelConfig) {
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
      String embedKey = stored.get("embed_tokens.weight");
      if (embedKey != null) {
        long[] embedShape = open.get(fileOf.get(embedKey)).info(embedKey).shape();
        if (embedShape.length == 2 && embedShape[0] != modelConfig.vocabSize() && embedShape[0] > 0
            && embedShape[0] <= Integer.MAX_VALUE) {
          modelConfig = modelConfig.withVocabSize((int) embedShape[0]);
        }
      }
      Qwen2Model.WeightSource source = (name, shape) -> {
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
        return file.floatBytes(key);
      };
      return Qwen2Model.create(modelConfig, backend, source, folder.path().toString());
    } finally {
      open.values().forEach(SafetensorsFile::close);
    }
  }
}
