package dev.kalm.core.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.testing.Fixtures;
import dev.kalm.core.tokenize.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text-level parity through the real tokenizer with sentence-transformers on the qwen2-text fixture (bf16 weights). */
class TextParityTest {
  @TempDir Path tmp;

  @Test
  void tokenIdsAndEmbeddingsMatchSentenceTransformers() throws IOException {
    Path shared = Fixtures.shared();
    Path fixture = shared.resolve("fixtures/qwen2-text");
    JsonObject ref = JsonParser.parseString(Files.readString(fixture.resolve("text_reference.json"))).getAsJsonObject();
    List<String> texts = new ArrayList<>();
    ref.getAsJsonArray("texts").forEach(t -> texts.add(t.getAsString()));

    Path model = tmp.resolve("model");
    Files.createDirectories(model);
    for (String f : new String[] {"config.json", "model.safetensors", "tokenizer_config.json"}) {
      Files.copy(fixture.resolve(f), model.resolve(f));
    }
    Files.copy(Fixtures.qwen2Tokenizer(), model.resolve("tokenizer.json"));

    try (TextTokenizer tokenizer = TextTokenizer.load(model)) {
      long[][] ids = tokenizer.encode(texts);
      JsonArray want = ref.getAsJsonArray("token_ids_untruncated");
      for (int i = 0; i < texts.size(); i++) {
        long[] expected = new long[want.get(i).getAsJsonArray().size()];
        for (int j = 0; j < expected.length; j++) {
          expected[j] = want.get(i).getAsJsonArray().get(j).getAsLong();
        }
        assertArrayEquals(expected, ids[i], "token ids of text " + i);
      }
    }

    EmbedderConfig config = EmbedderConfig.builder().maxLength(ref.get("max_seq_length").getAsInt())
        .pooling(Pooling.MEAN).device(DeviceChoice.CPU).build();
    try (Embedder embedder = Embedders.load(model, config)) {
      float[][] got = embedder.embed(texts);
      JsonArray want = ref.getAsJsonArray("embeddings");
      double maxDiff = 0;
      for (int i = 0; i < texts.size(); i++) {
        JsonArray row = want.get(i).getAsJsonArray();
        assertEquals(row.size(), got[i].length);
        for (int j = 0; j < row.size(); j++) {
          maxDiff = Math.max(maxDiff, Math.abs(got[i][j] - row.get(j).getAsDouble()));
        }
      }
      System.out.printf("parity qwen2-text embeddings (max_length 32) max |diff| = %.3g%n", maxDiff);
      assertEquals(0, maxDiff, 1e-4, "max abs diff against sentence-transformers");
    }
  }
}
