package dev.kalm.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kalm.core.embed.Pooling;
import dev.kalm.core.safetensors.SafetensorsFile;
import dev.kalm.core.safetensors.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The sentence-transformers pipeline of a model folder, read as {@code SentenceTransformer(folder)} reads it:
 * {@code modules.json} lists the modules in order; every one is loaded or the read fails naming it.
 *
 * <ul>
 *   <li>{@code Transformer} (first, at the folder root): {@code sentence_bert_config.json}'s {@code max_seq_length}
 *       (the default max length when the caller sets none) and {@code do_lower_case} (texts, prompt included, are
 *       lower-cased before tokenisation).
 *   <li>{@code Pooling}: one mode (legacy {@code pooling_mode_*_tokens} flags or the newer {@code pooling_mode}
 *       string), see {@link Pooling}; {@code max_tokens} and combined modes are refused by name. {@code include_prompt:
 *       false} leaves the prompt's tokens out of the pooled vector.
 *   <li>{@code Dense} (any number, in order, after pooling): see {@link DenseModule}; weights from the module's
 *       {@code model.safetensors} ({@code linear.weight}, {@code linear.bias}); a module with only
 *       {@code pytorch_model.bin} is refused with a message saying to convert it.
 *   <li>{@code Normalize} (last).
 * </ul>
 *
 * Any other module type is an error. Without {@code modules.json}, the pooling comes from {@code 1_Pooling/config.json}
 * when present, and the vectors are normalised (kalm's default). Immutable.
 *
 * @param maxSeqLength {@code max_seq_length}, or null when the folder sets none
 * @param doLowerCase {@code do_lower_case}
 * @param pooling the pooling mode, or null when the folder names none
 * @param includePrompt the pooling module's {@code include_prompt} (default true)
 * @param dense the Dense modules in order
 * @param normalize whether the pipeline ends with {@code Normalize}
 */
public record SentenceTransformerModules(
    @Nullable Integer maxSeqLength,
    boolean doLowerCase,
    @Nullable Pooling pooling,
    boolean includePrompt,
    ImmutableList<DenseModule> dense,
    boolean normalize) {

  public SentenceTransformerModules {
    checkArgument(maxSeqLength == null || maxSeqLength >= 1, "max_seq_length must be >= 1, got %s", maxSeqLength);
    checkNotNull(dense, "dense");
    dense = ImmutableList.copyOf(dense);
  }

  /** What a folder without sentence-transformers files means to kalm: no max length, pooling unset, normalised. */
  public static SentenceTransformerModules none() {
    return new SentenceTransformerModules(null, false, null, true, ImmutableList.of(), true);
  }

  /** The modules kalm writes for {@code settings}: Transformer, Pooling (prompt included), Normalize. */
  public static SentenceTransformerModules of(SentenceTransformerSettings settings) {
    return new SentenceTransformerModules(settings.maxSeqLength(), false, settings.pooling(), true, ImmutableList.of(),
        true);
  }

  /** The width of the vectors after the Dense modules: the last one's {@code out_features}, else {@code hidden}. */
  public int outputDimension(int hidden) {
    return dense.isEmpty() ? hidden : dense.get(dense.size() - 1).outFeatures();
  }

  /**
   * Reads the folder's sentence-transformers files.
   *
   * @param hidden the transformer's hidden size, which the first Dense module's {@code in_features} must equal
   * @throws ModelFormatException naming the file and the module or field at fault
   */
  public static SentenceTransformerModules read(Path folder, int hidden) {
    Integer maxSeqLength = null;
    boolean lowerCase = false;
    Path bert = folder.resolve("sentence_bert_config.json");
    if (Files.isRegularFile(bert)) {
      JsonObject json = object(bert);
      if (json.has("max_seq_length") && !json.get("max_seq_length").isJsonNull()) {
        int value = integer(bert, json, "max_seq_length");
        if (value < 1) {
          throw new ModelFormatException(bert, "max_seq_length must be >= 1, got " + value);
        }
        maxSeqLength = value;
      }
      if (json.has("do_lower_case") && !json.get("do_lower_case").isJsonNull()) {
        lowerCase = bool(bert, json, "do_lower_case");
      }
    }
    Path modulesFile = folder.resolve("modules.json");
    if (!Files.isRegularFile(modulesFile)) {
      Path poolingConfig = folder.resolve("1_Pooling").resolve("config.json");
      if (Files.isRegularFile(poolingConfig)) {
        JsonObject json = object(poolingConfig);
        return new SentenceTransformerModules(maxSeqLength, lowerCase, pooling(poolingConfig, json),
            includePrompt(poolingConfig, json), ImmutableList.of(), true);
      }
      return new SentenceTransformerModules(maxSeqLength, lowerCase, null, true, ImmutableList.of(), true);
    }
    JsonElement parsed = parse(modulesFile);
    if (!parsed.isJsonArray()) {
      throw new ModelFormatException(modulesFile, "not a JSON array of modules");
    }
    JsonArray modules = parsed.getAsJsonArray();
    Pooling pooling = null;
    boolean includePrompt = true;
    boolean normalize = false;
    boolean transformer = false;
    List<DenseModule> dense = new ArrayList<>();
    int width = hidden;
    for (int i = 0; i < modules.size(); i++) {
      if (!modules.get(i).isJsonObject()) {
        throw new ModelFormatException(modulesFile, "modules[" + i + "] is not an object");
      }
      JsonObject module = modules.get(i).getAsJsonObject();
      if (!module.has("type") || !module.get("type").isJsonPrimitive()) {
        throw new ModelFormatException(modulesFile, "modules[" + i + "] has no 'type'");
      }
      String type = ModelJson.string(module, "modules[" + i + "].", "type", null, modulesFile);
      String path = ModelJson.string(module, "modules[" + i + "].", "path", "", modulesFile);
      String where = "modules[" + i + "] '" + type + "' (path '" + path + "')";
      Path dir = folder.resolve(path).normalize();
      if (!dir.startsWith(folder.normalize())) {
        throw new ModelFormatException(modulesFile, where + ": path leaves the model folder");
      }
      String simple = type.substring(type.lastIndexOf('.') + 1);
      if (normalize) {
        throw new ModelFormatException(modulesFile, where + " follows Normalize: kalm normalises last only");
      }
      switch (simple) {
        case "Transformer" -> {
          if (i != 0 || !path.isEmpty()) {
            throw new ModelFormatException(modulesFile, where + ": kalm reads the transformer from the folder root "
                + "as the first module (path \"\"); a Transformer in a subfolder or later is not supported");
          }
          transformer = true;
        }
        case "Pooling" -> {
          if (pooling != null || !dense.isEmpty()) {
            throw new ModelFormatException(modulesFile, where + ": only one Pooling module, before any Dense, is supported");
          }
          Path config = dir.resolve("config.json");
          if (!Files.isRegularFile(config)) {
            throw new ModelFormatException(config, where + ": the pooling module's config.json is missing");
          }
          JsonObject json = object(config);
          pooling = pooling(config, json);
          includePrompt = includePrompt(config, json);
        }
        case "Dense" -> {
          if (pooling == null) {
            throw new ModelFormatException(modulesFile, where + ": a Dense module before Pooling (on token embeddings) "
                + "is not supported");
          }
          DenseModule d = dense(dir, path, where);
          if (d.inFeatures() != width) {
            throw new ModelFormatException(dir.resolve("config.json"), where + ": in_features " + d.inFeatures()
                + " does not match the incoming width " + width);
          }
          width = d.outFeatures();
          dense.add(d);
        }
        case "Normalize" -> {
          Path config = dir.resolve("config.json");
          if (Files.isRegularFile(config)) {
            JsonObject json = object(config);
            requireSentenceEmbedding(config, json, "module_input_name", where);
            requireSentenceEmbedding(config, json, "module_output_name", where);
          }
          normalize = true;
        }
        default -> throw new ModelFormatException(modulesFile, where + " is not supported: kalm loads Transformer, "
            + "Pooling, Dense and Normalize modules only (an unknown module would change the vectors)");
      }
    }
    if (!transformer) {
      throw new ModelFormatException(modulesFile, "no Transformer module: the first module must be "
          + "sentence_transformers.models.Transformer with path \"\"");
    }
    return new SentenceTransformerModules(maxSeqLength, lowerCase, pooling, includePrompt, ImmutableList.copyOf(dense),
        normalize);
  }

  private static final String[] LEGACY_MODES = {
    "cls_token", "max_tokens", "mean_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens", "lasttoken"
  };

  private static Pooling pooling(Path file, JsonObject json) {
    List<String> modes = new ArrayList<>();
    JsonElement mode = json.get("pooling_mode");
    if (mode != null && !mode.isJsonNull()) {
      if (mode.isJsonArray()) {
        for (JsonElement m : mode.getAsJsonArray()) {
          if (!m.isJsonPrimitive() || !m.getAsJsonPrimitive().isString()) {
            throw new ModelFormatException(file, "pooling_mode must list strings, got " + mode);
          }
          modes.add(m.getAsString());
        }
      } else {
        modes.add(ModelJson.string(json, "pooling_mode", null, file));
      }
    } else {
      for (String legacy : LEGACY_MODES) {
        String key = "pooling_mode_" + legacy;
        if (json.has(key) && !json.get(key).isJsonNull() && bool(file, json, key)) {
          modes.add(legacy);
        }
      }
    }
    if (modes.isEmpty()) {
      throw new ModelFormatException(file, "no pooling mode set (pooling_mode or one pooling_mode_* flag)");
    }
    if (modes.size() > 1) {
      throw new ModelFormatException(file, "pooling modes " + modes + " are combined (concatenated vectors): "
          + "not supported, kalm pools with one mode");
    }
    try {
      return Pooling.parse(modes.get(0));
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file, "pooling mode '" + modes.get(0) + "': " + e.getMessage(), e);
    }
  }

  private static boolean includePrompt(Path file, JsonObject json) {
    return !json.has("include_prompt") || json.get("include_prompt").isJsonNull() || bool(file, json, "include_prompt");
  }

  private static DenseModule dense(Path dir, String path, String where) {
    Path config = dir.resolve("config.json");
    if (!Files.isRegularFile(config)) {
      throw new ModelFormatException(config, where + ": the Dense module's config.json is missing");
    }
    JsonObject json = object(config);
    int in = integer(config, json, "in_features");
    int out = integer(config, json, "out_features");
    boolean hasBias = !json.has("bias") || bool(config, json, "bias");
    // sentence-transformers' Dense defaults to Tanh when the config names no activation
    String activationName = ModelJson.string(json, "activation_function", DenseModule.Activation.TANH.torchName(),
        config);
    DenseModule.Activation activation;
    try {
      activation = DenseModule.Activation.fromTorchName(activationName);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(config, where + ": " + e.getMessage(), e);
    }
    requireSentenceEmbedding(config, json, "module_input_name", where);
    requireSentenceEmbedding(config, json, "module_output_name", where);
    if (json.has("use_residual") && !json.get("use_residual").isJsonNull() && bool(config, json, "use_residual")) {
      throw new ModelFormatException(config, where + ": use_residual=true is not supported");
    }
    Path weights = dir.resolve("model.safetensors");
    if (!Files.isRegularFile(weights)) {
      if (Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
        throw new ModelFormatException(dir.resolve("pytorch_model.bin"), where + ": only pytorch_model.bin "
            + "(a pickle, which kalm does not read); convert it to model.safetensors, e.g. in Python: "
            + "SentenceTransformer(folder).save(folder, safe_serialization=True)");
      }
      throw new ModelFormatException(weights, where + ": the Dense module's weights (model.safetensors) are missing");
    }
    try (SafetensorsFile file = SafetensorsFile.open(weights)) {
      float[] w = tensor(file, "linear.weight", new long[] {out, in}, where);
      float[] b = hasBias ? tensor(file, "linear.bias", new long[] {out}, where) : null;
      try {
        return new DenseModule(path, in, out, activation, w, b);
      } catch (IllegalArgumentException e) {
        throw new ModelFormatException(config, where + ": " + e.getMessage(), e);
      }
    }
  }

  private static float[] tensor(SafetensorsFile file, String name, long[] shape, String where) {
    if (!file.tensors().containsKey(name)) {
      throw new ModelFormatException(file.path(), where + ": tensor '" + name + "' is missing");
    }
    TensorInfo info = file.info(name);
    if (!Arrays.equals(info.shape(), shape)) {
      throw new ModelFormatException(file.path(), where + ": tensor '" + name + "' has shape "
          + Arrays.toString(info.shape()) + " but config.json implies " + Arrays.toString(shape));
    }
    return file.floatArray(name);
  }

  private static void requireSentenceEmbedding(Path file, JsonObject json, String key, String where) {
    String value = ModelJson.string(json, key, "sentence_embedding", file);
    if (!value.equals("sentence_embedding")) {
      throw new ModelFormatException(file, where + ": " + key + " '" + value
          + "' is not supported (only sentence_embedding)");
    }
  }

  private static int integer(Path file, JsonObject json, String key) {
    JsonElement e = json.get(key);
    if (e == null || e.isJsonNull()) {
      throw new ModelFormatException(file, "missing field '" + key + "'");
    }
    try {
      double d = e.getAsDouble();
      if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return (int) d;
    } catch (RuntimeException ex) {
      throw new ModelFormatException(file, "field '" + key + "' must be an integer, got " + e, ex);
    }
  }

  private static boolean bool(Path file, JsonObject json, String key) {
    JsonElement e = json.get(key);
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw new ModelFormatException(file, "field '" + key + "' must be true or false, got " + e);
    }
    return e.getAsBoolean();
  }

  private static JsonObject object(Path file) {
    return ModelJson.readObject(file);
  }

  private static JsonElement parse(Path file) {
    return ModelJson.parse(file);
  }
}
