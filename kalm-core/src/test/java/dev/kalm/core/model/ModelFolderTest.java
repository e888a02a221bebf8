package dev.kalm.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import dev.kalm.core.device.Backends;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.internal.model.ModelLoader;
import dev.kalm.core.safetensors.DType;
import dev.kalm.core.safetensors.SafetensorsException;
import dev.kalm.core.safetensors.SafetensorsFile;
import dev.kalm.core.safetensors.SafetensorsWriter;
import dev.kalm.core.testing.Fixtures;
import dev.kalm.core.testing.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model folder reading: both config styles, shards, prefixes, dtypes, and a clear error for each bad input. */
class ModelFolderTest {
  @TempDir Path tmp;

  private Path copyOfMicro() throws IOException {
    return TestModels.copyOfMicro(Files.createTempDirectory(tmp, "copy").resolve("model"));
  }

  private static String message(Throwable t) {
    return t.getMessage();
  }

  @Test
  void readsBothConfigStyles() throws IOException {
    Qwen2Config newStyle = Qwen2Config.read(Fixtures.qwen2Tiny().resolve("config.json"));
    assertEquals(1e6, newStyle.ropeTheta());
    assertEquals(16, newStyle.headDim());
    Path old = tmp.resolve("config.json");
    Files.writeString(old, "{\"model_type\":\"qwen2\",\"vocab_size\":10,\"hidden_size\":8,\"intermediate_size\":16,"
        + "\"num_hidden_layers\":1,\"num_attention_heads\":2,\"num_key_value_heads\":1,\"rope_theta\":5000.0,"
        + "\"torch_dtype\":\"bfloat16\",\"sliding_window\":4096,\"use_sliding_window\":false}");
    Qwen2Config oldStyle = Qwen2Config.read(old);
    assertEquals(5000.0, oldStyle.ropeTheta());
    assertEquals(Attention.CAUSAL, oldStyle.attention());
    assertEquals(oldStyle, Qwen2Config.fromJson(com.google.gson.JsonParser.parseString(oldStyle.toJson()).getAsJsonObject(), old));
  }

  @Test
  void slidingWindowInUseIsRejected() throws IOException {
    Path file = tmp.resolve("config.json");
    Files.writeString(file, "{\"model_type\":\"qwen2\",\"use_sliding_window\":true,\"sliding_window\":16}");
    assertTrue(message(assertThrows(ModelFormatException.class, () -> Qwen2Config.read(file))).contains("use_sliding_window"));
  }

  @Test
  void unknownModelTypeIsNamed() throws IOException {
    Path model = copyOfMicro();
    Files.writeString(model.resolve("config.json"), "{\"model_type\":\"llama\"}");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFolder.read(model));
    assertTrue(message(e).contains("config.json") && message(e).contains("unknown model_type 'llama'"), message(e));
  }

  @Test
  void missingFolderConfigTokenizerAndWeightsAreNamed() throws IOException {
    assertTrue(message(assertThrows(ModelFormatException.class, () -> ModelFolder.read(tmp.resolve("nope"))))
        .contains("does not exist"));
    Path model = copyOfMicro();
    Files.delete(model.resolve("tokenizer.json"));
    assertTrue(message(assertThrows(ModelFormatException.class, () -> ModelFolder.read(model))).contains("tokenizer missing"));
    Files.copy(TestModels.micro().resolve("tokenizer.json"), model.resolve("tokenizer.json"));
    Files.delete(model.resolve("model.safetensors"));
    assertTrue(message(assertThrows(ModelFormatException.class, () -> ModelFolder.read(model))).contains("weights missing"));
    Files.delete(model.resolve("config.json"));
    assertTrue(message(assertThrows(ModelFormatException.class, () -> ModelFolder.read(model))).contains("config.json not found"));
  }

  @Test
  void missingAndMisShapedTensorsAreNamed() throws IOException {
    Path model = copyOfMicro();
    Map<String, SafetensorsWriter.Tensor> tensors = readAll(model.resolve("model.safetensors"));
    Map<String, SafetensorsWriter.Tensor> missing = new LinkedHashMap<>(tensors);
    missing.remove("layers.1.self_attn.k_proj.bias");
    SafetensorsWriter.write(model.resolve("model.safetensors"), missing, Map.of());
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> ModelLoader.load(ModelFolder.read(model), Backends.cpu()));
    assertTrue(message(e).contains("'layers.1.self_attn.k_proj.bias'") && message(e).contains("missing"), message(e));

    Map<String, SafetensorsWriter.Tensor> misShaped = new LinkedHashMap<>(tensors);
    misShaped.put("norm.weight", new SafetensorsWriter.Tensor(new long[] {2, 16}, new float[32]));
    SafetensorsWriter.write(model.resolve("model.safetensors"), misShaped, Map.of());
    e = assertThrows(ModelFormatException.class, () -> ModelLoader.load(ModelFolder.read(model), Backends.cpu()));
    assertTrue(message(e).contains("'norm.weight'") && message(e).contains("[2, 16]"), message(e));
  }

  @Test
  void truncatedWeightsAreATypedErrorNotACrash() throws IOException {
    Path model = copyOfMicro();
    Path weights = model.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(weights);
    Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThrows(SafetensorsException.class, () -> Embedders.load(model, cpu()));
  }

  @Test
  void prefixedShardedBf16AndF16WeightsGiveTheFloat32Embeddings() throws IOException {
    List<String> texts = List.of("hello world", "ls lists directory contents", "你好，世界");
    float[][] reference;
    try (Embedder e = Embedders.load(TestModels.micro(), cpu())) {
      reference = e.embed(texts);
    }
    Map<String, SafetensorsWriter.Tensor> tensors = readAll(TestModels.micro().resolve("model.safetensors"));
    for (DType dtype : new DType[] {DType.F32, DType.BF16, DType.F16}) {
      Path model = copyOfMicro();
      Files.delete(model.resolve("model.safetensors"));
      // Two shards, names with the Qwen2ForCausalLM "model." prefix, plus an lm_head that must be ignored.
      Map<String, SafetensorsWriter.Tensor> first = new LinkedHashMap<>();
      Map<String, SafetensorsWriter.Tensor> second = new LinkedHashMap<>();
      StringBuilder index = new StringBuilder("{\"metadata\":{},\"weight_map\":{");
      int i = 0;
      for (Map.Entry<String, SafetensorsWriter.Tensor> t : tensors.entrySet()) {
        String shard = i++ % 2 == 0 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
        (shard.contains("00001-") ? first : second).put("model." + t.getKey(), t.getValue());
        index.append('"').append("model.").append(t.getKey()).append("\":\"").append(shard).append("\",");
      }
      first.put("lm_head.weight", new SafetensorsWriter.Tensor(new long[] {3, 2}, new float[6]));
      index.append("\"lm_head.weight\":\"model-00001-of-00002.safetensors\"}}");
      SafetensorsWriter.write(model.resolve("model-00001-of-00002.safetensors"), first, Map.of(), dtype);
      SafetensorsWriter.write(model.resolve("model-00002-of-00002.safetensors"), second, Map.of(), dtype);
      Files.writeString(model.resolve("model.safetensors.index.json"), index, StandardCharsets.UTF_8);
      double tolerance = dtype == DType.F32 ? 1e-6 : dtype == DType.F16 ? 2e-3 : 2e-2;
      try (Embedder e = Embedders.load(model, cpu())) {
        float[][] got = e.embed(texts);
        double maxDiff = 0;
        for (int r = 0; r < texts.size(); r++) {
          for (int c = 0; c < got[r].length; c++) {
            maxDiff = Math.max(maxDiff, Math.abs(got[r][c] - reference[r][c]));
          }
        }
        System.out.printf("%s copy: max |diff| to float32 embeddings = %.3g%n", dtype, maxDiff);
        assertTrue(maxDiff <= tolerance, dtype + " max diff " + maxDiff);
      }
    }
  }

  @Test
  void sentenceTransformerFilesSetTheDefaults() throws IOException {
    Path model = copyOfMicro();
    ModelFolder folder = ModelFolder.read(model);
    assertEquals(Pooling.MEAN, folder.pooling());
    assertTrue(folder.prompts().get("query").startsWith("Instruct: "));
    assertNull(folder.defaultPromptName());
    Files.writeString(model.resolve("1_Pooling/config.json"), "{\"pooling_mode_lasttoken\": true}");
    try (Embedder e = Embedders.load(model, cpu())) {
      assertEquals(Pooling.LAST, e.config().pooling());
    }
    try (Embedder e = Embedders.load(model, cpu().toBuilder().promptName("query").build())) {
      assertEquals(folder.prompts().get("query"), e.config().prompt().prefix());
    }
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> Embedders.load(model, cpu().toBuilder().promptName("passage").build()));
    assertTrue(message(unknown).contains("'passage'"), message(unknown));
    IllegalArgumentException dim = assertThrows(IllegalArgumentException.class,
        () -> Embedders.load(model, cpu().toBuilder().dimension(33).build()));
    assertTrue(message(dim).contains("got 33"), message(dim));
  }

  @Test
  void gpuWithoutCudaSaysWhatToInstall() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.resolve(DeviceChoice.GPU));
    assertTrue(message(e).contains("PYTORCH_LIBRARY_PATH") && message(e).contains("PYTORCH_FLAVOR=cu128"), message(e));
    assertEquals("cpu", Backends.resolve(DeviceChoice.AUTO).name());
  }

  private static EmbedderConfig cpu() {
    return EmbedderConfig.builder().device(DeviceChoice.CPU).maxLength(32).build();
  }

  private static Map<String, SafetensorsWriter.Tensor> readAll(Path file) {
    Map<String, SafetensorsWriter.Tensor> out = new LinkedHashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      f.tensors().values().forEach(t -> out.put(t.name(), new SafetensorsWriter.Tensor(t.shape(), f.floatArray(t.name()))));
    }
    return ImmutableMap.copyOf(out);
  }
}
