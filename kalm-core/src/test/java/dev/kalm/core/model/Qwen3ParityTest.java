package dev.kalm.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.device.Backends;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.Attention;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.embed.Pooling;
import dev.kalm.core.testing.Fixtures;
import dev.kalm.core.tokenize.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Qwen3 parity on the {@code qwen3-tiny} fixture (head_dim 32 != hidden/heads 16, per-head q/k RMSNorm, no
 * biases) against its float64 reference: token ids, mean, last token with left padding, Matryoshka 16,
 * bidirectional mean and token-level hidden states, each within 1e-4.
 */
class Qwen3ParityTest {
  static final double TOLERANCE = 1e-4;
  @TempDir static Path tmp;
  static Path folder;
  static JsonObject ref;
  static List<String> texts;
  static int maxLength;

  @BeforeAll
  static void setUp() throws IOException {
    Path fixture = Fixtures.shared().resolve("fixtures/qwen3-tiny");
    ref = JsonParser.parseString(Files.readString(fixture.resolve("reference.json"))).getAsJsonObject();
    texts = new ArrayList<>();
    ref.getAsJsonArray("texts").forEach(t -> texts.add(t.getAsString()));
    maxLength = ref.get("max_length").getAsInt();
    folder = tmp.resolve("qwen3-tiny");
    Files.createDirectories(folder);
    Files.createSymbolicLink(folder.resolve("config.json"), fixture.resolve("config.json"));
    Files.createSymbolicLink(folder.resolve("model.safetensors"), fixture.resolve("model.safetensors"));
    Files.createSymbolicLink(folder.resolve("tokenizer.json"), Fixtures.qwen2Tokenizer());
  }

  @Test
  void configIsQwen3WithHeadDimFromTheConfig() {
    Qwen2Config c = ModelFolder.read(folder).config();
    assertEquals(ModelType.QWEN3, c.modelType());
    assertEquals(32, c.headDim());
    assertTrue(c.qkNorm() && !c.qkvBias() && !c.outputBias());
  }

  @Test
  void tokenIdsMatch() {
    try (TextTokenizer tokenizer = TextTokenizer.load(folder)) {
      long[][] untruncated = tokenizer.encode(texts);
      long[][] truncated = tokenizer.encode(texts, maxLength);
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(longs(ref.getAsJsonArray("token_ids_untruncated").get(i).getAsJsonArray()), untruncated[i],
            "untruncated ids of text " + i);
        assertArrayEquals(longs(ref.getAsJsonArray("token_ids").get(i).getAsJsonArray()), truncated[i],
            "ids of text " + i);
      }
    }
  }

  @Test
  void meanPoolingMatches() {
    check(config(Pooling.MEAN, Attention.CAUSAL, 0), "mean");
  }

  @Test
  void lastTokenWithLeftPaddingMatches() {
    check(config(Pooling.LAST, Attention.CAUSAL, 0), "last_token");
  }

  @Test
  void matryoshkaDim16Matches() {
    check(config(Pooling.MEAN, Attention.CAUSAL, 16), "mean_dim16");
  }

  @Test
  void bidirectionalMeanMatches() {
    check(config(Pooling.MEAN, Attention.BIDIRECTIONAL, 0), "mean_bidirectional");
  }

  @Test
  void tokenLevelHiddenStatesOfALeftPaddedBatchMatch() {
    JsonObject level = ref.getAsJsonObject("token_level");
    assertEquals("left", level.get("padding_side").getAsString());
    JsonArray idRows = level.getAsJsonArray("input_ids");
    JsonArray maskRows = level.getAsJsonArray("attention_mask");
    int rows = idRows.size();
    int length = idRows.get(0).getAsJsonArray().size();
    long[] ids = new long[rows * length];
    float[] mask = new float[rows * length];
    for (int r = 0; r < rows; r++) {
      for (int t = 0; t < length; t++) {
        ids[r * length + t] = idRows.get(r).getAsJsonArray().get(t).getAsLong();
        mask[r * length + t] = maskRows.get(r).getAsJsonArray().get(t).getAsFloat();
      }
    }
    ModelFolder mf = ModelFolder.read(folder);
    try (Qwen2Model model = mf.loadModel(Backends.cpu()); NDManager m = Backends.cpu().newManager()) {
      NDArray hidden = model.forward(m.create(ids, new Shape(rows, length)), m.create(mask, new Shape(rows, length)),
          Attention.CAUSAL);
      float[] got = hidden.toFloatArray();
      int h = model.config().hiddenSize();
      JsonArray want = level.getAsJsonArray("last_hidden_state");
      double maxDiff = 0;
      double scale = 0;
      for (int r = 0; r < rows; r++) {
        for (int t = 0; t < length; t++) {
          if (mask[r * length + t] == 0) {
            continue;
          }
          JsonArray vector = want.get(r).getAsJsonArray().get(t).getAsJsonArray();
          for (int d = 0; d < h; d++) {
            double w = vector.get(d).getAsDouble();
            scale = Math.max(scale, Math.abs(w));
            maxDiff = Math.max(maxDiff, Math.abs(got[(r * length + t) * h + d] - w));
          }
        }
      }
      System.out.printf("parity qwen3-tiny token_level last_hidden_state max |diff| = %.3g (max |value| %.3g)%n",
          maxDiff, scale);
      assertTrue(maxDiff <= TOLERANCE * Math.max(1, scale), "token-level max diff " + maxDiff);
    }
  }

  private static EmbedderConfig config(Pooling pooling, Attention attention, int dimension) {
    return EmbedderConfig.builder().pooling(pooling).attention(attention).dimension(dimension).maxLength(maxLength)
        .batchTokens(5 * maxLength).device(DeviceChoice.CPU).build();
  }

  private static void check(EmbedderConfig config, String key) {
    try (Embedder embedder = Embedders.load(folder, config)) {
      float[][] got = embedder.embed(texts);
      JsonArray want = ref.getAsJsonArray(key);
      double maxDiff = 0;
      for (int i = 0; i < texts.size(); i++) {
        JsonArray row = want.get(i).getAsJsonArray();
        assertEquals(row.size(), got[i].length, key + " dimension");
        for (int j = 0; j < row.size(); j++) {
          maxDiff = Math.max(maxDiff, Math.abs(got[i][j] - row.get(j).getAsDouble()));
        }
      }
      System.out.printf("parity qwen3-tiny %s max |diff| = %.3g%n", key, maxDiff);
      assertTrue(maxDiff <= TOLERANCE, key + " max abs diff " + maxDiff);
    }
  }

  private static long[] longs(JsonArray array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).getAsLong();
    }
    return out;
  }
}
