package dev.kalm.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.device.Backends;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.Attention;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.embed.Pooling;
import dev.kalm.core.safetensors.SafetensorsFile;
import dev.kalm.core.safetensors.SafetensorsWriter;
import dev.kalm.core.testing.TestModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Qwen3 configs (both styles, head_dim, attention_bias), presets, tensor layout, and write/read round trips. */
class Qwen3ModelTest {
  @TempDir Path tmp;

  private static Qwen2Config parse(String json) {
    return Qwen2Config.fromJson(JsonParser.parseString(json).getAsJsonObject(), Path.of("config.json"));
  }

  @Test
  void readsBothConfigStylesAndHeadDimDefaults() {
    Qwen2Config v4 = parse("{\"model_type\":\"qwen3\",\"vocab_size\":100,\"hidden_size\":64,\"intermediate_size\":128,"
        + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":32,"
        + "\"rope_theta\":1000000.0,\"torch_dtype\":\"float32\",\"attention_bias\":false,\"sliding_window\":null,"
        + "\"use_sliding_window\":false,\"tie_word_embeddings\":true}");
    Qwen2Config v5 = parse("{\"model_type\":\"qwen3\",\"vocab_size\":100,\"hidden_size\":64,\"intermediate_size\":128,"
        + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":32,"
        + "\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":1000000.0},\"dtype\":\"bfloat16\","
        + "\"layer_types\":[\"full_attention\",\"full_attention\"]}");
    assertEquals(v4, v5);
    assertEquals(ModelType.QWEN3, v4.modelType());
    assertEquals(32, v4.headDim());
    // transformers' Qwen3Config stores head_dim=128 when the file has none (not hidden/heads = 16)
    Qwen2Config noHeadDim = parse("{\"model_type\":\"qwen3\",\"vocab_size\":100,\"hidden_size\":64,"
        + "\"intermediate_size\":128,\"num_hidden_layers\":1,\"num_attention_heads\":4}");
    assertEquals(128, noHeadDim.headDim());
    // Qwen2 keeps hidden/heads, and ignores attention_bias as transformers' Qwen2 does
    Qwen2Config qwen2 = parse("{\"model_type\":\"qwen2\",\"vocab_size\":100,\"hidden_size\":64,"
        + "\"intermediate_size\":128,\"num_hidden_layers\":1,\"num_attention_heads\":4,\"attention_bias\":true}");
    assertEquals(16, qwen2.headDim());
    assertTrue(qwen2.qkvBias() && !qwen2.outputBias() && !qwen2.qkNorm());
    assertEquals(v4, parse(v4.toJson()), "toJson round trip");
    JsonObject written = JsonParser.parseString(v4.toJson()).getAsJsonObject();
    assertEquals("qwen3", written.get("model_type").getAsString());
    assertEquals("Qwen3Model", written.getAsJsonArray("architectures").get(0).getAsString());
    assertEquals(32, written.get("head_dim").getAsInt());
  }

  @Test
  void attentionBiasAddsQkvAndOutputBiases() {
    Qwen2Config plain = ModelInit.preset("qwen3-tiny");
    Qwen2Config biased = parse(plain.toJson().replace("\"attention_bias\": false", "\"attention_bias\": true"));
    assertTrue(biased.attentionBias());
    Map<String, long[]> shapes = Qwen2Model.expectedShapes(biased);
    assertArrayEquals(new long[] {128}, shapes.get("layers.0.self_attn.q_proj.bias"));
    assertArrayEquals(new long[] {64}, shapes.get("layers.0.self_attn.o_proj.bias"));
    assertArrayEquals(new long[] {32}, shapes.get("layers.1.self_attn.k_norm.weight"));
    Map<String, long[]> plainShapes = Qwen2Model.expectedShapes(plain);
    assertFalse(plainShapes.containsKey("layers.0.self_attn.q_proj.bias"));
    assertFalse(plainShapes.containsKey("layers.0.self_attn.o_proj.bias"));
    assertTrue(plainShapes.containsKey("layers.0.self_attn.q_norm.weight"));
    assertThrows(IllegalArgumentException.class, () -> new Qwen2Config(100, 64, 128, 1, 4, 2, 16, 1e-6, 1e6, 512, true,
        Attention.CAUSAL, ModelType.QWEN2, true));
  }

  @Test
  void parameterCountAgreesWithTheTensorShapes() {
    for (String preset : List.of("tiny", "qwen2-0.5b", "qwen3-tiny", "qwen3-0.6b")) {
      Qwen2Config c = ModelInit.preset(preset);
      assertEquals(count(c), c.parameterCount(), preset);
    }
    Qwen2Config biased = parse(ModelInit.preset("qwen3-tiny").toJson().replace("\"attention_bias\": false",
        "\"attention_bias\": true"));
    assertEquals(count(biased), biased.parameterCount());
    Qwen2Config real = ModelInit.preset("qwen3-0.6b");
    assertEquals(List.of(1024, 28, 16, 8, 128, 3072, 151669),
        List.of(real.hiddenSize(), real.numLayers(), real.numHeads(), real.numKvHeads(), real.headDim(),
            real.intermediateSize(), real.vocabSize()));
    // Qwen3-Embedding-0.6B: 595,776,512 parameters (tied embeddings counted once)
    assertEquals(595_776_512L, real.parameterCount());
  }

  private static long count(Qwen2Config c) {
    long n = 0;
    for (long[] shape : Qwen2Model.expectedShapes(c).values()) {
      long p = 1;
      for (long d : shape) {
        p *= d;
      }
      n += p;
    }
    return n;
  }

  @Test
  void theOutputBiasIsApplied() {
    Qwen2Config c = parse("{\"model_type\":\"qwen3\",\"vocab_size\":50,\"hidden_size\":16,\"intermediate_size\":32,"
        + "\"num_hidden_layers\":1,\"num_attention_heads\":2,\"num_key_value_heads\":1,\"head_dim\":8,"
        + "\"attention_bias\":true}");
    Map<String, float[]> weights = ModelInit.randomWeights(c, 3);
    float[] a = hidden(c, weights);
    java.util.Arrays.fill(weights.get("layers.0.self_attn.o_proj.bias"), 0.5f);
    float[] b = hidden(c, weights);
    double diff = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
    }
    assertTrue(diff > 1e-3, "o_proj.bias changes the output: " + diff);
  }

  private static float[] hidden(Qwen2Config c, Map<String, float[]> weights) {
    try (Qwen2Model model = Qwen2Model.create(c, Backends.cpu(), (name, shape) -> {
          float[] data = weights.get(name);
          ByteBuffer buffer = ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.nativeOrder());
          buffer.asFloatBuffer().put(data);
          return buffer;
        }, "test");
        NDManager m = Backends.cpu().newManager()) {
      return model.forward(m.create(new long[] {1, 2, 3, 4}, new Shape(1, 4)), m.create(new float[] {1, 1, 1, 1},
          new Shape(1, 4)), Attention.CAUSAL).toFloatArray();
    }
  }

  @Test
  void writtenQwen3FolderKeepsQkNormsAndReloadsToTheSameVectors() throws IOException {
    Qwen2Config c = ModelInit.preset("qwen3-tiny");
    Path folder = tmp.resolve("q3");
    Map<String, float[]> weights = ModelInit.randomWeights(c, 11);
    weights.get("layers.0.self_attn.q_norm.weight")[3] = 1.7f; // a non-trivial norm must survive the trip
    ModelWriter.write(folder, c, weights, TestModels.tokenizer(),
        new SentenceTransformerSettings(Pooling.LAST, 64, dev.kalm.core.embed.Prompt.none()), null);
    try (SafetensorsFile f = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
      assertTrue(f.tensors().containsKey("layers.1.self_attn.k_norm.weight"));
      assertEquals(1.7f, f.floatArray("layers.0.self_attn.q_norm.weight")[3]);
    }
    ModelFolder read = ModelFolder.read(folder);
    assertEquals(c, read.config());
    assertEquals(Pooling.LAST, read.pooling());
    float[][] first;
    EmbedderConfig config = EmbedderConfig.builder().device(DeviceChoice.CPU).build();
    try (Embedder e = Embedders.load(folder, config)) {
      first = e.embed(List.of("hello world", "a longer text with more tokens in it"));
    }
    Path again = tmp.resolve("q3-again");
    try (Qwen2Model model = read.loadModel(Backends.cpu())) {
      ModelWriter.write(again, model.config(), model.snapshot(), folder,
          new SentenceTransformerSettings(Pooling.LAST, 64, dev.kalm.core.embed.Prompt.none()), null);
    }
    try (Embedder e = Embedders.load(again, config)) {
      float[][] second = e.embed(List.of("hello world", "a longer text with more tokens in it"));
      for (int i = 0; i < first.length; i++) {
        assertArrayEquals(first[i], second[i], 0f);
      }
    }
  }

  @Test
  void aBidirectionalFolderSaysWhichTransformersHonourIsCausal() throws IOException {
    Qwen2Config c = ModelInit.preset("qwen3-tiny").withAttention(Attention.BIDIRECTIONAL);
    Path folder = tmp.resolve("bi");
    ModelWriter.write(folder, c, ModelInit.randomWeights(c, 1), TestModels.tokenizer(), SentenceTransformerSettings.kalm(),
        null);
    JsonObject config = JsonParser.parseString(Files.readString(folder.resolve("config.json"))).getAsJsonObject();
    assertFalse(config.get("is_causal").getAsBoolean());
    String readme = Files.readString(folder.resolve("README.md"));
    assertTrue(readme.contains("\"is_causal\": false") && readme.contains("5.2.0") && readme.contains("#43705"), readme);
    Path causal = tmp.resolve("causal");
    ModelWriter.write(causal, c.withAttention(Attention.CAUSAL), ModelInit.randomWeights(c, 1), TestModels.tokenizer(),
        SentenceTransformerSettings.kalm(), null);
    assertFalse(Files.readString(causal.resolve("README.md")).contains("is_causal"));
  }

  @Test
  void untiedLmHeadIsIgnoredAndVocabRowsComeFromTheTensor() throws IOException {
    Qwen2Config c = parse("{\"model_type\":\"qwen3\",\"vocab_size\":151936,\"hidden_size\":16,"
        + "\"intermediate_size\":32,\"num_hidden_layers\":1,\"num_attention_heads\":2,\"num_key_value_heads\":1,"
        + "\"head_dim\":8,\"tie_word_embeddings\":false}");
    Qwen2Config stored = c.withVocabSize(ModelInit.QWEN3_VOCAB);
    Path folder = tmp.resolve("untied");
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("config.json"), c.toJson()); // says 151936, the tensor has 151669 rows
    Files.copy(TestModels.tokenizer().resolve("tokenizer.json"), folder.resolve("tokenizer.json"));
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
    ModelInit.randomWeights(stored, 2).forEach((name, data) ->
        tensors.put("model." + name, new SafetensorsWriter.Tensor(Qwen2Model.expectedShapes(stored).get(name), data)));
    tensors.put("lm_head.weight", new SafetensorsWriter.Tensor(new long[] {4, 16}, new float[64]));
    SafetensorsWriter.write(folder.resolve("model.safetensors"), tensors, ImmutableMap.of("format", "pt"));
    ModelFolder read = ModelFolder.read(folder);
    assertFalse(read.config().tieWordEmbeddings());
    try (Qwen2Model model = read.loadModel(Backends.cpu())) {
      assertEquals(ModelInit.QWEN3_VOCAB, model.config().vocabSize());
    }
    try (Embedder e = Embedders.load(folder, EmbedderConfig.builder().device(DeviceChoice.CPU).build())) {
      assertEquals(16, e.embed("Hallo Welt").length);
    }
  }
}
