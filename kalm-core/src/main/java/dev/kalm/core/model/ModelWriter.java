package dev.kalm.core.model;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.io.AtomicFiles;
import dev.kalm.core.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes a model folder in Hugging Face + sentence-transformers layout: {@code config.json},
 * {@code model.safetensors} (float32), the tokenizer files, {@code modules.json}, {@code 1_Pooling/config.json},
 * the Dense modules' folders (when the model has any), {@code N_Normalize/}, {@code sentence_bert_config.json},
 * {@code config_sentence_transformers.json}, a {@code README.md} saying how to load it (and, for a bidirectional
 * model, which transformers versions honour {@code "is_causal": false}) and {@code kalm_provenance.json}. The folder
 * is assembled beside the target and moved into place, so a failure leaves no partial folder and an existing folder
 * is replaced only by a complete one.
 */
public final class ModelWriter {
  private ModelWriter() {}

  /**
   * Writes the folder.
   *
   * @param weights float32 tensors by Hugging Face name, shapes as in {@link Qwen2Config#expectedShapes()}
   * @param tokenizer a {@code tokenizer.json} file or a folder with one (its {@code tokenizer_config.json} and
   *     {@code TOKENIZER_NOTICE} are copied too when present)
   * @param provenance the text of a JSON object, written (pretty-printed) as {@code kalm_provenance.json}, or null
   * @throws IllegalArgumentException when {@code provenance} is not a JSON object's text
   */
  public static void write(Path folder, Qwen2Config config, Map<String, float[]> weights, Path tokenizer,
      SentenceTransformerSettings settings, @Nullable String provenance) {
    write(folder, config, weights, tokenizer, settings, provenance, dir -> {}, name -> false);
  }

  /**
   * Writes a folder that means what {@code source} means: its tokenizer, prompts and sentence-transformers modules
   * (max length, lower-casing, pooling with {@code include_prompt}, Dense modules, Normalize), with {@code weights}
   * for the transformer. Writing back a loaded folder's own weights gives a folder that loads to the same vectors.
   *
   * @param config the transformer's shape (e.g. {@link Qwen2Model#config()} of the model the weights come from)
   * @param provenance the text of a JSON object, written as {@code kalm_provenance.json}, or null
   */
  public static void write(Path folder, Qwen2Config config, Map<String, float[]> weights, ModelFolder source,
      @Nullable String provenance) {
    writeFolder(folder, config, weights, source.tokenizer(), source.modules(), source.prompts(),
        source.defaultPromptName(), provenance, dir -> {}, name -> false);
  }

  /** Something that writes extra files into the folder being assembled. */
  @FunctionalInterface
  public interface Extras {
    void writeInto(Path folder) throws IOException;
  }

  /**
   * Like {@link #write(Path, Qwen2Config, Map, Path, SentenceTransformerSettings, String)}, also calling
   * {@code extras} on the folder being assembled (e.g. trainer state) and carrying over the entries of an
   * existing target whose names {@code keep} accepts (e.g. earlier checkpoints).
   */
  public static void write(Path folder, Qwen2Config config, Map<String, float[]> weights, Path tokenizer,
      SentenceTransformerSettings settings, @Nullable String provenance, Extras extras,
      java.util.function.Predicate<String> keep) {
    writeFolder(folder, config, weights, tokenizer, SentenceTransformerModules.of(settings),
        ImmutableMap.of("query", settings.queryPrompt().prefix(), "document", ""), null, provenance, extras, keep);
  }

  private static void writeFolder(Path folder, Qwen2Config config, Map<String, float[]> weights, Path tokenizer,
      SentenceTransformerModules modules, Map<String, String> prompts, @Nullable String defaultPromptName,
      @Nullable String provenance, Extras extras, java.util.function.Predicate<String> keep) {
    JsonElement provenanceJson = provenance == null ? null : JsonParser.parseString(provenance);
    checkArgument(provenanceJson == null || provenanceJson.isJsonObject(), "provenance must be a JSON object, got %s",
        provenance);
    AtomicFiles.writeFolder(folder, tmp -> {
      Files.writeString(tmp.resolve("config.json"), config.toJson(), StandardCharsets.UTF_8);
      Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
      for (Map.Entry<String, long[]> e : config.expectedShapes().entrySet()) {
        float[] data = weights.get(e.getKey());
        if (data == null) {
          throw new IllegalArgumentException("weight '" + e.getKey() + "' missing");
        }
        tensors.put(e.getKey(), new SafetensorsWriter.Tensor(e.getValue(), data));
      }
      SafetensorsWriter.write(tmp.resolve("model.safetensors"), tensors, ImmutableMap.of("format", "pt"));
      copyTokenizer(tokenizer, tmp);
      writeSentenceTransformerFiles(tmp, config, modules, prompts, defaultPromptName);
      Files.writeString(tmp.resolve("README.md"), readme(config, modules), StandardCharsets.UTF_8);
      if (provenanceJson != null) {
        writeJson(tmp.resolve("kalm_provenance.json"), provenanceJson);
      }
      extras.writeInto(tmp);
    }, keep);
  }

  private static void copyTokenizer(Path tokenizer, Path folder) throws IOException {
    Path file = Files.isDirectory(tokenizer) ? tokenizer.resolve("tokenizer.json") : tokenizer;
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(file, "tokenizer missing: no tokenizer.json");
    }
    Files.copy(file, folder.resolve("tokenizer.json"));
    for (String extra : new String[] {"tokenizer_config.json", "TOKENIZER_NOTICE"}) {
      Path source = file.resolveSibling(extra);
      if (Files.isRegularFile(source)) {
        Files.copy(source, folder.resolve(extra));
      }
    }
  }

  private static void writeSentenceTransformerFiles(Path folder, Qwen2Config config, SentenceTransformerModules st,
      Map<String, String> promptMap, @Nullable String defaultPromptName) throws IOException {
    Pooling mode = st.pooling() == null ? Pooling.MEAN : st.pooling();
    JsonArray modules = new JsonArray();
    modules.add(module(0, "", "sentence_transformers.models.Transformer"));
    modules.add(module(1, "1_Pooling", "sentence_transformers.models.Pooling"));
    int idx = 2;
    for (DenseModule dense : st.dense()) {
      modules.add(module(idx++, dense.path(), "sentence_transformers.models.Dense"));
      writeDense(folder.resolve(dense.path()), dense);
    }
    String normalizePath = idx + "_Normalize";
    if (st.normalize()) {
      modules.add(module(idx, normalizePath, "sentence_transformers.models.Normalize"));
    }
    writeJson(folder.resolve("modules.json"), modules);

    JsonObject pooling = new JsonObject();
    pooling.addProperty("word_embedding_dimension", config.hiddenSize());
    for (Pooling p : new Pooling[] {Pooling.FIRST, Pooling.MEAN}) {
      pooling.addProperty("pooling_mode_" + p.sentenceTransformersName(), mode == p);
    }
    pooling.addProperty("pooling_mode_max_tokens", false);
    for (Pooling p : new Pooling[] {Pooling.MEAN_SQRT_LEN, Pooling.WEIGHTED_MEAN, Pooling.LAST}) {
      pooling.addProperty("pooling_mode_" + p.sentenceTransformersName(), mode == p);
    }
    pooling.addProperty("include_prompt", st.includePrompt());
    Files.createDirectories(folder.resolve("1_Pooling"));
    writeJson(folder.resolve("1_Pooling/config.json"), pooling);
    if (st.normalize()) {
      Files.createDirectories(folder.resolve(normalizePath));
    }

    JsonObject bert = new JsonObject();
    bert.addProperty("max_seq_length", st.maxSeqLength() == null ? 512 : st.maxSeqLength());
    bert.addProperty("do_lower_case", st.doLowerCase());
    writeJson(folder.resolve("sentence_bert_config.json"), bert);

    JsonObject prompts = new JsonObject();
    promptMap.forEach(prompts::addProperty);
    JsonObject stConfig = new JsonObject();
    stConfig.add("prompts", prompts);
    if (defaultPromptName == null) {
      stConfig.add("default_prompt_name", com.google.gson.JsonNull.INSTANCE);
    } else {
      stConfig.addProperty("default_prompt_name", defaultPromptName);
    }
    stConfig.addProperty("similarity_fn_name", "cosine");
    writeJson(folder.resolve("config_sentence_transformers.json"), stConfig);
  }

  private static void writeDense(Path dir, DenseModule dense) throws IOException {
    Files.createDirectories(dir);
    JsonObject config = new JsonObject();
    config.addProperty("in_features", dense.inFeatures());
    config.addProperty("out_features", dense.outFeatures());
    config.addProperty("bias", dense.bias() != null);
    config.addProperty("activation_function", dense.activation().torchName());
    writeJson(dir.resolve("config.json"), config);
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("linear.weight", new SafetensorsWriter.Tensor(new long[] {dense.outFeatures(), dense.inFeatures()},
        dense.weight()));
    if (dense.bias() != null) {
      tensors.put("linear.bias", new SafetensorsWriter.Tensor(new long[] {dense.outFeatures()}, dense.bias()));
    }
    SafetensorsWriter.write(dir.resolve("model.safetensors"), tensors, ImmutableMap.of("format", "pt"));
  }

  /** The folder's README: what it is, how to load it, and for a bidirectional model which transformers honour it. */
  static String readme(Qwen2Config config, SentenceTransformerModules st) {
    StringBuilder b = new StringBuilder();
    b.append("# ").append(config.modelType().architecture()).append(" text embedding model (written by kalm)\n\n");
    b.append(String.format(java.util.Locale.ROOT, "%s, hidden %d, %d layers, %d heads (%d KV), head_dim %d; "
        + "pooling %s%s; %d-dimensional vectors%s.%n%n", config.modelType().configName(), config.hiddenSize(),
        config.numLayers(), config.numHeads(), config.numKvHeads(), config.headDim(),
        (st.pooling() == null ? Pooling.MEAN : st.pooling()).sentenceTransformersName(),
        st.includePrompt() ? "" : " (prompt excluded)", st.outputDimension(config.hiddenSize()),
        st.normalize() ? ", L2-normalised" : ""));
    b.append("Load it with kalm (`Embedders.load(folder, config)`) or with sentence-transformers "
        + "(`SentenceTransformer(folder)`); `config_sentence_transformers.json` holds the prompts.\n");
    if (config.attention() == Attention.BIDIRECTIONAL) {
      b.append("\n## Bidirectional attention\n\n");
      b.append(BIDIRECTIONAL_NOTE).append('\n');
    }
    return b.toString();
  }

  /**
   * What a bidirectional folder's README says about {@code "is_causal": false}. Sources checked (not run here): the
   * transformers pull request #43705 "Allow bi-directional attention for all models" (merged 2026-02-04), which makes
   * the model read the config's {@code is_causal}, and llama.cpp PR #20746, which dates it to transformers 5.2.0.
   */
  static final String BIDIRECTIONAL_NOTE = "This model was trained without the causal mask (every token sees every "
      + "non-padding token). kalm writes `\"is_causal\": false` into `config.json`. Hugging Face transformers "
      + "honours that field from version 5.2.0 on (pull request #43705, \"Allow bi-directional attention for all "
      + "models\"). Older versions, all 4.x releases and 5.0-5.1, ignore the field without a warning and run the "
      + "model causally, which gives other vectors. Use transformers >= 5.2.0 (and a sentence-transformers that runs "
      + "on it) or kalm.";

  private static JsonObject module(int idx, String path, String type) {
    JsonObject m = new JsonObject();
    m.addProperty("idx", idx);
    m.addProperty("name", String.valueOf(idx));
    m.addProperty("path", path);
    m.addProperty("type", type);
    return m;
  }

  private static void writeJson(Path file, JsonElement json) throws IOException {
    Files.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json),
        StandardCharsets.UTF_8);
  }
}
