package dev.kalm.core.model;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/**
 * The shape of a Qwen2 or Qwen3 model, as in a Hugging Face {@code config.json}. Immutable. (The name predates
 * Qwen3 support; {@link #modelType()} says which family.)
 *
 * <p>Reads both styles: transformers 4.x ({@code rope_theta}, {@code torch_dtype} at top level) and 5.x
 * ({@code rope_parameters.rope_theta}, {@code dtype}). {@code sliding_window} is ignored unless
 * {@code use_sliding_window} is true, which is rejected (no KaLM model uses it). {@code "is_causal": false}
 * marks a bidirectional (KaLM-V2 style) encoder.
 *
 * <p>Qwen3 ({@code model_type: qwen3}, see {@link ModelType}): {@code head_dim} comes from the config (128 when
 * absent, as transformers' {@code Qwen3Config}), {@code attention_bias} (default false) switches the q/k/v/o
 * projection biases. For Qwen2 {@code attentionBias} is always false: its q/k/v biases are part of the
 * architecture (see {@link #qkvBias()}).
 */
public record Qwen2Config(
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    int maxPositionEmbeddings,
    boolean tieWordEmbeddings,
    Attention attention,
    ModelType modelType,
    boolean attentionBias) {

  public Qwen2Config {
    checkArgument(vocabSize > 0, "vocab_size must be > 0, got %s", vocabSize);
    checkArgument(maxPositionEmbeddings > 0, "max_position_embeddings must be > 0, got %s", maxPositionEmbeddings);
    checkArgument(hiddenSize > 0, "hidden_size must be > 0, got %s", hiddenSize);
    checkArgument(intermediateSize > 0, "intermediate_size must be > 0, got %s", intermediateSize);
    checkArgument(numLayers > 0, "num_hidden_layers must be > 0, got %s", numLayers);
    checkArgument(numHeads > 0 && numKvHeads > 0 && numHeads % numKvHeads == 0,
        "num_attention_heads (%s) must be a positive multiple of num_key_value_heads (%s)", numHeads, numKvHeads);
    checkArgument(headDim > 0 && headDim % 2 == 0, "head_dim must be positive and even, got %s", headDim);
    checkArgument(rmsNormEps > 0, "rms_norm_eps must be > 0, got %s", rmsNormEps);
    checkArgument(ropeTheta > 0, "rope_theta must be > 0, got %s", ropeTheta);
    checkArgument(modelType != null, "modelType must not be null");
    checkArgument(modelType == ModelType.QWEN3 || !attentionBias,
        "attention_bias is a Qwen3 setting (Qwen2 always has q/k/v biases), got true for %s", modelType);
  }

  /** A Qwen2 config ({@link ModelType#QWEN2}, architecture-fixed biases). */
  public Qwen2Config(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads, int numKvHeads,
      int headDim, double rmsNormEps, double ropeTheta, int maxPositionEmbeddings, boolean tieWordEmbeddings,
      Attention attention) {
    this(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, rmsNormEps, ropeTheta,
        maxPositionEmbeddings, tieWordEmbeddings, attention, ModelType.QWEN2, false);
  }

  /** Whether q_proj, k_proj and v_proj have biases: always for Qwen2, {@code attention_bias} for Qwen3. */
  public boolean qkvBias() {
    return modelType == ModelType.QWEN2 || attentionBias;
  }

  /** Whether o_proj has a bias: only Qwen3 with {@code attention_bias}. */
  public boolean outputBias() {
    return modelType == ModelType.QWEN3 && attentionBias;
  }

  /** Whether each query and key head is RMS-normalised before the rotary embedding ({@code q_norm}, {@code k_norm}): Qwen3. */
  public boolean qkNorm() {
    return modelType == ModelType.QWEN3;
  }

  /** This config with {@code vocabSize} embedding rows (e.g. the row count of the stored embedding tensor). */
  public Qwen2Config withVocabSize(int vocabSize) {
    return new Qwen2Config(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
        rmsNormEps, ropeTheta, maxPositionEmbeddings, tieWordEmbeddings, attention, modelType, attentionBias);
  }

  /** A config with {@code head_dim = hidden / heads}, causal attention, tied embeddings, eps 1e-6, theta 1e6. */
  public static Qwen2Config of(int vocab, int hidden, int intermediate, int layers, int heads, int kvHeads) {
    checkArgument(heads > 0 && hidden % heads == 0, "hidden_size %s must be divisible by heads %s", hidden, heads);
    return new Qwen2Config(vocab, hidden, intermediate, layers, heads, kvHeads, hidden / heads, 1e-6, 1e6, 32768,
        true, Attention.CAUSAL);
  }

  /** This config with another attention pattern. */
  public Qwen2Config withAttention(Attention attention) {
    return new Qwen2Config(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
        rmsNormEps, ropeTheta, maxPositionEmbeddings, tieWordEmbeddings, attention, modelType, attentionBias);
  }

  /** Number of parameters (tied embeddings counted once). */
  public long parameterCount() {
    long attention = (long) hiddenSize * headDim * (numHeads + 2L * numKvHeads)
        + (qkvBias() ? (long) headDim * (numHeads + 2L * numKvHeads) : 0)
        + (long) numHeads * headDim * hiddenSize + (outputBias() ? hiddenSize : 0)
        + (qkNorm() ? 2L * headDim : 0);
    long mlp = 3L * hiddenSize * intermediateSize;
    return (long) vocabSize * hiddenSize + numLayers * (attention + mlp + 2L * hiddenSize) + hiddenSize;
  }

  /**
   * Reads a {@code config.json}.
   *
   * @throws ModelFormatException naming the file (and line) when it is missing, not UTF-8, not strict JSON, not
   *     {@code qwen2}, lacks a field or has one of the wrong type or out of range (naming the field and value)
   */
  public static Qwen2Config read(Path file) {
    return fromJson(ModelJson.readObject(file), file);
  }

  /** Parses a config object; {@code file} names it in errors. */
  static Qwen2Config fromJson(JsonObject json, Path file) {
    json = ConfigValidator.checkTypes(json, file);
    String type = json.has("model_type") ? json.get("model_type").getAsString() : "(missing)";
    ModelType modelType;
    try {
      modelType = ModelType.fromConfigName(type);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file, e.getMessage(), e);
    }
    if (json.has("use_sliding_window") && json.get("use_sliding_window").getAsBoolean()) {
      throw new ModelFormatException(file, "use_sliding_window=true is not supported (sliding-window attention)");
    }
    ConfigValidator.checkRanges(json, file);
    int hidden = integer(json, "hidden_size", file);
    int heads = integer(json, "num_attention_heads", file);
    double theta;
    if (json.has("rope_theta")) {
      theta = json.get("rope_theta").getAsDouble();
    } else if (json.has("rope_parameters") && json.getAsJsonObject("rope_parameters").has("rope_theta")) {
      JsonObject rope = json.getAsJsonObject("rope_parameters");
      if (rope.has("rope_type") && !rope.get("rope_type").getAsString().equals("default")) {
        throw new ModelFormatException(file, "rope_type '" + rope.get("rope_type").getAsString() + "' is not supported");
      }
      theta = rope.get("rope_theta").getAsDouble();
    } else {
      theta = 10000.0; // transformers' Qwen2 default
    }
    if (json.has("rope_scaling") && !json.get("rope_scaling").isJsonNull()) {
      throw new ModelFormatException(file, "rope_scaling is not supported");
    }
    // transformers: getattr(config, "head_dim", hidden // heads); Qwen3Config stores head_dim=128 by default.
    int headDim = json.has("head_dim") && !json.get("head_dim").isJsonNull() ? json.get("head_dim").getAsInt()
        : modelType == ModelType.QWEN3 ? 128 : hidden / heads;
    boolean attentionBias = modelType == ModelType.QWEN3 && json.has("attention_bias")
        && !json.get("attention_bias").isJsonNull() && json.get("attention_bias").getAsBoolean();
    boolean causal = !json.has("is_causal") || json.get("is_causal").getAsBoolean();
    try {
      return new Qwen2Config(
          integer(json, "vocab_size", file),
          hidden,
          integer(json, "intermediate_size", file),
          integer(json, "num_hidden_layers", file),
          heads,
          json.has("num_key_value_heads") ? json.get("num_key_value_heads").getAsInt() : heads,
          headDim,
          json.has("rms_norm_eps") ? json.get("rms_norm_eps").getAsDouble() : 1e-6,
          theta,
          json.has("max_position_embeddings") ? json.get("max_position_embeddings").getAsInt() : 32768,
          !json.has("tie_word_embeddings") || json.get("tie_word_embeddings").getAsBoolean(),
          causal ? Attention.CAUSAL : Attention.BIDIRECTIONAL,
          modelType,
          attentionBias);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file, e.getMessage(), e);
    }
  }

  private static int integer(JsonObject json, String field, Path file) {
    JsonElement e = json.get(field);
    if (e == null || e.isJsonNull()) {
      throw new ModelFormatException(file, "missing field '" + field + "'");
    }
    try {
      return e.getAsInt();
    } catch (RuntimeException ex) {
      throw new ModelFormatException(file, "field '" + field + "' must be an integer, got " + e, ex);
    }
  }

  /** This config as a transformers-4.x-style {@code config.json} (also read by transformers 5). */
  public String toJson() {
    JsonObject o = new JsonObject();
    com.google.gson.JsonArray arch = new com.google.gson.JsonArray();
    arch.add(modelType.architecture());
    o.add("architectures", arch);
    o.addProperty("model_type", modelType.configName());
    o.addProperty("vocab_size", vocabSize);
    o.addProperty("hidden_size", hiddenSize);
    o.addProperty("intermediate_size", intermediateSize);
    o.addProperty("num_hidden_layers", numLayers);
    o.addProperty("num_attention_heads", numHeads);
    o.addProperty("num_key_value_heads", numKvHeads);
    if (modelType == ModelType.QWEN3 || headDim != hiddenSize / numHeads) {
      o.addProperty("head_dim", headDim);
    }
    if (modelType == ModelType.QWEN3) {
      o.addProperty("attention_bias", attentionBias);
    }
    o.addProperty("hidden_act", "silu");
    o.addProperty("rms_norm_eps", rmsNormEps);
    o.addProperty("rope_theta", ropeTheta);
    o.addProperty("max_position_embeddings", maxPositionEmbeddings);
    o.addProperty("tie_word_embeddings", tieWordEmbeddings);
    o.addProperty("use_sliding_window", false);
    o.addProperty("attention_dropout", 0.0);
    o.addProperty("initializer_range", 0.02);
    o.addProperty("torch_dtype", "float32");
    if (attention == Attention.BIDIRECTIONAL) {
      o.addProperty("is_causal", false);
    }
    return new GsonBuilder().setPrettyPrinting().create().toJson(o);
  }

  /** Tensor names (without {@code model.}) and shapes of a model with this config, in a fixed order. */
  public LinkedHashMap<String, long[]> expectedShapes() {
    Qwen2Config c = this;
    LinkedHashMap<String, long[]> shapes = new LinkedHashMap<>();
    long h = c.hiddenSize();
    long q = (long) c.numHeads() * c.headDim();
    long kv = (long) c.numKvHeads() * c.headDim();
    shapes.put("embed_tokens.weight", new long[] {c.vocabSize(), h});
    for (int l = 0; l < c.numLayers(); l++) {
      String p = "layers." + l + ".";
      shapes.put(p + "input_layernorm.weight", new long[] {h});
      shapes.put(p + "self_attn.q_proj.weight", new long[] {q, h});
      if (c.qkvBias()) {
        shapes.put(p + "self_attn.q_proj.bias", new long[] {q});
      }
      shapes.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
      if (c.qkvBias()) {
        shapes.put(p + "self_attn.k_proj.bias", new long[] {kv});
      }
      shapes.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
      if (c.qkvBias()) {
        shapes.put(p + "self_attn.v_proj.bias", new long[] {kv});
      }
      shapes.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      if (c.outputBias()) {
        shapes.put(p + "self_attn.o_proj.bias", new long[] {h});
      }
      if (c.qkNorm()) {
        shapes.put(p + "self_attn.q_norm.weight", new long[] {c.headDim()});
        shapes.put(p + "self_attn.k_norm.weight", new long[] {c.headDim()});
      }
      shapes.put(p + "post_attention_layernorm.weight", new long[] {h});
      shapes.put(p + "mlp.gate_proj.weight", new long[] {c.intermediateSize(), h});
      shapes.put(p + "mlp.up_proj.weight", new long[] {c.intermediateSize(), h});
      shapes.put(p + "mlp.down_proj.weight", new long[] {h, c.intermediateSize()});
    }
    shapes.put("norm.weight", new long[] {h});
    return shapes;
  }
}
