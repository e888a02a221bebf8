package dev.kalm.core.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.common.collect.ImmutableMap;
import com.google.common.io.MoreFiles;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.device.Backends;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.internal.device.Devices;
import dev.kalm.core.internal.model.ModelLoader;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.model.ModelFolder;
import dev.kalm.core.model.ModelFormatException;
import dev.kalm.core.model.ModelWriter;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.safetensors.SafetensorsWriter;
import dev.kalm.core.testing.TestModels;
import dev.kalm.core.tokenize.TextTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sentence-transformers folder features, each checked against vectors computed here in plain double arithmetic from
 * the token states (the transformer itself is checked by the parity tests) and the module weights: max_seq_length,
 * do_lower_case, include_prompt=false, mean_sqrt_len and weightedmean pooling, Dense (Identity with bias, Tanh without)
 * with Matryoshka truncation, refusals by name, and load -> save -> load identity.
 */
class SentenceTransformerFolderTest {
  static final double TOLERANCE = 1e-5;
  static final String TEXT = "The grep command searches files for lines that match a pattern and prints them.";
  static final String PROMPT = "Instruct: Given a query, retrieve documents that answer the query. \n Query: ";
  @TempDir Path tmp;

  private Path copyOfMicro(String name) throws IOException {
    return TestModels.copyOfMicro(tmp.resolve(name));
  }

  private static void json(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static void modules(Path folder, String... typesAndPaths) throws IOException {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < typesAndPaths.length; i += 2) {
      b.append(i == 0 ? "" : ",").append("{\"idx\":").append(i / 2).append(",\"name\":\"").append(i / 2)
          .append("\",\"path\":\"").append(typesAndPaths[i + 1]).append("\",\"type\":\"sentence_transformers.models.")
          .append(typesAndPaths[i]).append("\"}");
    }
    json(folder.resolve("modules.json"), b.append("]").toString());
  }

  private static void pooling(Path folder, String mode, boolean includePrompt) throws IOException {
    json(folder.resolve("1_Pooling/config.json"), "{\"word_embedding_dimension\":32,\"pooling_mode_" + mode
        + "\":true,\"include_prompt\":" + includePrompt + "}");
  }

  /** Token states [T][H] of one unpadded sequence (the transformer, which the parity tests check). */
  private static double[][] states(Path folder, String text, int maxLength) {
    ModelFolder mf = ModelFolder.read(folder);
    try (TextTokenizer tokenizer = TextTokenizer.load(folder);
        Qwen2Model model = ModelLoader.load(mf, Backends.cpu());
        NDManager m = Devices.newManager(Backends.cpu())) {
      long[] ids = tokenizer.encode(List.of(text), maxLength)[0];
      float[] mask = new float[ids.length];
      java.util.Arrays.fill(mask, 1f);
      float[] h = model.forward(m.create(ids, new Shape(1, ids.length)), m.create(mask, new Shape(1, ids.length)),
          mf.config().attention()).toFloatArray();
      int hidden = mf.config().hiddenSize();
      double[][] out = new double[ids.length][hidden];
      for (int t = 0; t < ids.length; t++) {
        for (int d = 0; d < hidden; d++) {
          out[t][d] = h[t * hidden + d];
        }
      }
      return out;
    }
  }

  private static double[] weightedSum(double[][] states, int from, java.util.function.IntToDoubleFunction weight) {
    double[] v = new double[states[0].length];
    for (int t = from; t < states.length; t++) {
      for (int d = 0; d < v.length; d++) {
        v[d] += weight.applyAsDouble(t) * states[t][d];
      }
    }
    return v;
  }

  private static double[] mean(double[][] states, int from) {
    int n = states.length - from;
    return weightedSum(states, from, t -> 1.0 / n);
  }

  private static double[] l2(double[] v, int dim) {
    double[] p = java.util.Arrays.copyOf(v, dim);
    double norm = 0;
    for (double x : p) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    for (int i = 0; i < p.length; i++) {
      p[i] /= norm;
    }
    return p;
  }

  private static float[] embed(Path folder, EmbedderConfig.Builder config, String text, Prompt prompt) {
    try (Embedder e = Embedders.load(folder, config.device(DeviceChoice.CPU).build())) {
      return e.embed(List.of(text), prompt)[0];
    }
  }

  private static void assertClose(double[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what + " dimension");
    double max = 0;
    for (int i = 0; i < want.length; i++) {
      max = Math.max(max, Math.abs(want[i] - got[i]));
    }
    assertTrue(max <= TOLERANCE, what + ": max |diff| " + max);
  }

  @Test
  void maxSeqLengthIsTheDefaultMaxLength() throws IOException {
    Path folder = copyOfMicro("maxlen");
    json(folder.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 6, \"do_lower_case\": false}");
    double[] want = l2(mean(states(folder, TEXT, 6), 0), 32);
    assertClose(want, embed(folder, EmbedderConfig.builder(), TEXT, Prompt.none()), "max_seq_length 6");
    try (Embedder e = Embedders.load(folder, EmbedderConfig.builder().device(DeviceChoice.CPU).build())) {
      assertEquals(6, e.config().maxLength());
    }
    // the caller's max length wins
    double[] longer = l2(mean(states(folder, TEXT, 512), 0), 32);
    assertClose(longer, embed(folder, EmbedderConfig.builder().maxLength(512), TEXT, Prompt.none()), "explicit 512");
  }

  @Test
  void doLowerCaseLowersTextAndPrompt() throws IOException {
    Path folder = copyOfMicro("lower");
    json(folder.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 64, \"do_lower_case\": true}");
    double[] want = l2(mean(states(folder, (PROMPT + "GREP Searches FILES").toLowerCase(java.util.Locale.ROOT), 64), 0),
        32);
    assertClose(want, embed(folder, EmbedderConfig.builder(), "GREP Searches FILES", Prompt.raw(PROMPT)),
        "do_lower_case");
  }

  @Test
  void includePromptFalseLeavesThePromptTokensOutOfMeanPooling() throws IOException {
    Path folder = copyOfMicro("noprompt");
    pooling(folder, "mean_tokens", false);
    int promptTokens;
    try (TextTokenizer tokenizer = TextTokenizer.load(folder)) {
      promptTokens = tokenizer.encode(PROMPT).length; // the Qwen2 tokenizer adds no special tokens
    }
    assertTrue(promptTokens > 5);
    double[][] states = states(folder, PROMPT + TEXT, 512);
    assertClose(l2(mean(states, promptTokens), 32), embed(folder, EmbedderConfig.builder(), TEXT, Prompt.raw(PROMPT)),
        "include_prompt false");
    // documents without prompt are pooled over all their tokens
    assertClose(l2(mean(states(folder, TEXT, 512), 0), 32), embed(folder, EmbedderConfig.builder(), TEXT,
        Prompt.none()), "no prompt");
  }

  @Test
  void meanSqrtLenAndWeightedMeanPooling() throws IOException {
    Path folder = copyOfMicro("sqrt");
    pooling(folder, "mean_sqrt_len_tokens", true);
    double[][] states = states(folder, TEXT, 512);
    int n = states.length;
    assertClose(l2(weightedSum(states, 0, t -> 1 / Math.sqrt(n)), 32),
        embed(folder, EmbedderConfig.builder().normalize(true), TEXT, Prompt.none()), "mean_sqrt_len");
    pooling(folder, "weightedmean_tokens", true);
    double positions = n * (n + 1) / 2.0;
    try (Embedder e = Embedders.load(folder, EmbedderConfig.builder().normalize(false).device(DeviceChoice.CPU).build())) {
      float[] got = e.embed(List.of(TEXT), Prompt.none())[0];
      assertClose(weightedSum(states, 0, t -> (t + 1) / positions), got, "weightedmean (unnormalised)");
    }
  }

  /** A Dense module folder with random weights; returns {weight [out*in], bias or null}. */
  private static float[][] dense(Path folder, String path, int in, int out, boolean bias, String activation, long seed)
      throws IOException {
    json(folder.resolve(path).resolve("config.json"), "{\"in_features\":" + in + ",\"out_features\":" + out
        + ",\"bias\":" + bias + ",\"activation_function\":\"" + activation + "\"}");
    SplittableRandom random = new SplittableRandom(seed);
    float[] w = new float[in * out];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (random.nextGaussian() * 0.3);
    }
    float[] b = bias ? new float[out] : null;
    Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
    tensors.put("linear.weight", new SafetensorsWriter.Tensor(new long[] {out, in}, w));
    if (bias) {
      for (int i = 0; i < out; i++) {
        b[i] = (float) (random.nextGaussian() * 0.5);
      }
      tensors.put("linear.bias", new SafetensorsWriter.Tensor(new long[] {out}, b));
    }
    SafetensorsWriter.write(folder.resolve(path).resolve("model.safetensors"), tensors, ImmutableMap.of("format", "pt"));
    return new float[][] {w, b};
  }

  private static double[] apply(double[] x, float[][] layer, int out, boolean tanh) {
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      double s = layer[1] == null ? 0 : layer[1][o];
      for (int i = 0; i < x.length; i++) {
        s += (double) layer[0][o * x.length + i] * x[i];
      }
      y[o] = tanh ? Math.tanh(s) : s;
    }
    return y;
  }

  private Path denseFolder(String name, float[][][] layers) throws IOException {
    Path folder = copyOfMicro(name);
    modules(folder, "Transformer", "", "Pooling", "1_Pooling", "Dense", "2_Dense", "Dense", "3_Dense_16",
        "Normalize", "4_Normalize");
    pooling(folder, "mean_tokens", true);
    MoreFiles.deleteRecursively(folder.resolve("2_Normalize"));
    layers[0] = dense(folder, "2_Dense", 32, 24, true, "torch.nn.modules.linear.Identity", 1);
    layers[1] = dense(folder, "3_Dense_16", 24, 16, false, "torch.nn.modules.activation.Tanh", 2);
    return folder;
  }

  @Test
  void denseModulesIdentityAndTanhAreAppliedInOrder() throws IOException {
    float[][][] layers = new float[2][][];
    Path folder = denseFolder("dense", layers);
    double[] pooled = mean(states(folder, TEXT, 512), 0);
    double[] out = apply(apply(pooled, layers[0], 24, false), layers[1], 16, true);
    try (Embedder e = Embedders.load(folder, EmbedderConfig.builder().device(DeviceChoice.CPU).build())) {
      assertEquals(16, e.dimension());
      assertClose(l2(out, 16), e.embed(List.of(TEXT), Prompt.none())[0], "Dense 32->24 (Identity, bias) ->16 (Tanh)");
    }
    // Matryoshka on the Dense output: first 8 components, then L2
    assertClose(l2(out, 8), embed(folder, EmbedderConfig.builder().dimension(8), TEXT, Prompt.none()), "dense dim 8");
    IllegalArgumentException tooWide = assertThrows(IllegalArgumentException.class,
        () -> embed(folder, EmbedderConfig.builder().dimension(32), TEXT, Prompt.none()));
    assertTrue(tooWide.getMessage().contains("16"), tooWide.getMessage());
  }

  @Test
  void unknownAndUnsupportedModulesAreRefusedByName() throws IOException {
    Path folder = copyOfMicro("unknown");
    modules(folder, "Transformer", "", "Pooling", "1_Pooling", "LayerNorm", "2_LayerNorm", "Normalize", "3_Normalize");
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFolder.read(folder));
    assertTrue(e.getMessage().contains("sentence_transformers.models.LayerNorm") && e.getMessage().contains("2_LayerNorm"),
        e.getMessage());

    Path bin = copyOfMicro("bin");
    modules(bin, "Transformer", "", "Pooling", "1_Pooling", "Dense", "2_Dense");
    json(bin.resolve("2_Dense/config.json"), "{\"in_features\":32,\"out_features\":8,\"bias\":true,"
        + "\"activation_function\":\"torch.nn.modules.activation.Tanh\"}");
    Files.write(bin.resolve("2_Dense/pytorch_model.bin"), new byte[] {1, 2, 3});
    e = assertThrows(ModelFormatException.class, () -> ModelFolder.read(bin));
    assertTrue(e.getMessage().contains("pytorch_model.bin") && e.getMessage().contains("convert"), e.getMessage());

    Path max = copyOfMicro("max");
    pooling(max, "max_tokens", true);
    e = assertThrows(ModelFormatException.class, () -> ModelFolder.read(max));
    assertTrue(e.getMessage().contains("max"), e.getMessage());
    json(max.resolve("1_Pooling/config.json"), "{\"pooling_mode_mean_tokens\":true,\"pooling_mode_cls_token\":true}");
    e = assertThrows(ModelFormatException.class, () -> ModelFolder.read(max));
    assertTrue(e.getMessage().contains("combined"), e.getMessage());

    Path relu = copyOfMicro("relu");
    modules(relu, "Transformer", "", "Pooling", "1_Pooling", "Dense", "2_Dense");
    dense(relu, "2_Dense", 32, 8, true, "torch.nn.modules.activation.ReLU", 3);
    e = assertThrows(ModelFormatException.class, () -> ModelFolder.read(relu));
    assertTrue(e.getMessage().contains("ReLU"), e.getMessage());
  }

  @Test
  void newStylePoolingModeIsRead() throws IOException {
    Path folder = copyOfMicro("newstyle");
    json(folder.resolve("1_Pooling/config.json"), "{\"embedding_dimension\":32,\"pooling_mode\":\"lasttoken\","
        + "\"include_prompt\":true}");
    assertEquals(Pooling.LAST, ModelFolder.read(folder).pooling());
  }

  @Test
  void loadSaveLoadIsTheIdentity() throws IOException {
    float[][][] layers = new float[2][][];
    Path folder = denseFolder("source", layers);
    pooling(folder, "mean_tokens", false);
    json(folder.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 20, \"do_lower_case\": true}");
    json(folder.resolve("config_sentence_transformers.json"), "{\"prompts\":{\"query\":\"" + PROMPT.replace("\n", "\\n")
        + "\",\"document\":\"\"},\"default_prompt_name\":\"query\",\"similarity_fn_name\":\"cosine\"}");
    ModelFolder loaded = ModelFolder.read(folder);
    Path saved = tmp.resolve("saved");
    try (Qwen2Model model = ModelLoader.load(loaded, Backends.cpu())) {
      ModelWriter.write(saved, model.config(), model.snapshot(), loaded, null);
    }
    ModelFolder again = ModelFolder.read(saved);
    assertEquals(loaded.modules(), again.modules());
    assertEquals(loaded.prompts(), again.prompts());
    assertEquals(loaded.defaultPromptName(), again.defaultPromptName());
    assertEquals(loaded.config(), again.config());
    JsonObject modulesJson = JsonParser.parseString("{\"m\":" + Files.readString(saved.resolve("modules.json")) + "}")
        .getAsJsonObject();
    assertEquals(5, modulesJson.getAsJsonArray("m").size());
    List<String> texts = List.of("How do I LIST files?", TEXT, "Die Katze sitzt auf der Matte.");
    EmbedderConfig config = EmbedderConfig.builder().device(DeviceChoice.CPU).build();
    try (Embedder a = Embedders.load(folder, config); Embedder b = Embedders.load(saved, config)) {
      assertEquals(a.config(), b.config());
      float[][] va = a.embed(texts);
      float[][] vb = b.embed(texts);
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(va[i], vb[i], 0f, "text " + i);
      }
    }
  }
}
