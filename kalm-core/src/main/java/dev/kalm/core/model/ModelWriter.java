package dev.kalm.core.model;

import com.google.common.collect.ImmutableMap;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kalm.core.embed.Pooling;
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
 * {@code 2_Normalize/}, {@code sentence_bert_config.json}, {@code config_sentence_transformers.json} and
 * {@code kalm_provenance.json}. The folder is assembled beside the target and moved into place, so a
 * failure leaves no partial folder and an existing folder is replaced only by a complete one.
 */
public final class ModelWriter {
  private ModelWriter() {}

  /**
   * Writes the folder.
   *
   * @param weights float32 tensors by Hugging Face name, shapes as in {@link Qwen2Model#expectedShapes}
   * @param tokenizer a {@code tokenizer.json} file or a folder with one (its {@code tokenizer_config.json} and
   *     {@code TOKENIZER_NOTICE} are copied too when present)
   * @param provenance written as {@code kalm_provenance.json}, or null
   */
  public static void write(Path folder, Qwen2Config config, Map<String, float[]> weights, Path tokenizer,
      SentenceTransformerSettings settings, @Nullable JsonObject provenance) {
    write(folder, config, weights, tokenizer, settings, provenance, dir -> {}, name -> false);
  }

  /** Something that writes extra files into the folder being assembled. */
  @FunctionalInterface
  public interface Extras {
    void writeInto(Path folder) throws IOException;
  }

  /**
   * Like {@link #write(Path, Qwen2Config, Map, Path, SentenceTransformerSettings, JsonObject)}, also calling
   * {@code extras} on the folder being assembled (e.g. trainer state) and carrying over the entries of an
   * existing target whose names {@code keep} accepts (e.g. earlier checkpoints).
   */
  public static void write(Path folder, Qwen2Config config, Map<String, float[]> weights, Path tokenizer,
      SentenceTransformerSettings settings, @Nullable JsonObject provenance, Extras extras,
      java.util.function.Predicate<String> keep) {
    AtomicFiles.writeFolder(folder, tmp -> {
      Files.writeString(tmp.resolve("config.json"), config.toJson(), StandardCharsets.UTF_8);
      Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
      for (Map.Entry<String, long[]> e : Qwen2Model.expectedShapes(config).entrySet()) {
        float[] data = weights.get(e.getKey());
        if (data == null) {
          throw new IllegalArgumentException("weight '" + e.getKey() + "' missing");
        }
        tensors.put(e.getKey(), new SafetensorsWriter.Tensor(e.getValue(), data));
      }
      SafetensorsWriter.write(tmp.resolve("model.safetensors"), tensors, ImmutableMap.of("format", "pt"));
      copyTokenizer(tokenizer, tmp);
      writeSentenceTransformerFiles(tmp, config, settings);
      if (provenance != null) {
        writeJson(tmp.resolve("kalm_provenance.json"), provenance);
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

  private static void writeSentenceTransformerFiles(Path folder, Qwen2Config config, SentenceTransformerSettings st)
      throws IOException {
    JsonArray modules = new JsonArray();
    modules.add(module(0, "", "sentence_transformers.models.Transformer"));
    modules.add(module(1, "1_Pooling", "sentence_transformers.models.Pooling"));
    modules.add(module(2, "2_Normalize", "sentence_transformers.models.Normalize"));
    writeJson(folder.resolve("modules.json"), modules);

    JsonObject pooling = new JsonObject();
    pooling.addProperty("word_embedding_dimension", config.hiddenSize());
    pooling.addProperty("pooling_mode_cls_token", st.pooling() == Pooling.FIRST);
    pooling.addProperty("pooling_mode_mean_tokens", st.pooling() == Pooling.MEAN);
    pooling.addProperty("pooling_mode_max_tokens", false);
    pooling.addProperty("pooling_mode_mean_sqrt_len_tokens", false);
    pooling.addProperty("pooling_mode_weightedmean_tokens", false);
    pooling.addProperty("pooling_mode_lasttoken", st.pooling() == Pooling.LAST);
    pooling.addProperty("include_prompt", true);
    Files.createDirectories(folder.resolve("1_Pooling"));
    writeJson(folder.resolve("1_Pooling/config.json"), pooling);
    Files.createDirectories(folder.resolve("2_Normalize"));

    JsonObject bert = new JsonObject();
    bert.addProperty("max_seq_length", st.maxSeqLength());
    bert.addProperty("do_lower_case", false);
    writeJson(folder.resolve("sentence_bert_config.json"), bert);

    JsonObject prompts = new JsonObject();
    prompts.addProperty("query", st.queryPrompt().prefix());
    prompts.addProperty("document", "");
    JsonObject stConfig = new JsonObject();
    stConfig.add("prompts", prompts);
    stConfig.add("default_prompt_name", com.google.gson.JsonNull.INSTANCE);
    stConfig.addProperty("similarity_fn_name", "cosine");
    writeJson(folder.resolve("config_sentence_transformers.json"), stConfig);
  }

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
