package dev.kalm.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.device.Backends;
import dev.kalm.core.internal.model.ModelLoader;
import dev.kalm.core.testing.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The model folder's own files and its weights fail with messages naming the file, entry or tensor. */
class ModelFolderValidationTest {
  @TempDir Path tmp;

  private Path copyOfMicro() throws IOException {
    return TestModels.copyOfMicro(tmp.resolve("model"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "modules.json| {\"0\": {}}| modules.json: not a JSON array of modules",
      "modules.json| [5]| modules.json: modules[0] is not an object",
      "modules.json| [{\"type\": 5, \"path\": \"1_Pooling\"}]| modules.json: modules[0].type must be a string, got 5",
      "modules.json| [{\"type\": \"sentence_transformers.models.Transformer\", \"path\": [\"\"]}]"
          + "| modules.json: modules[0].path must be a string, got [\"\"]",
      "modules.json| [{\"type\": \"sentence_transformers.models.Pooling\", \"path\": \"1_Pooling\"},]"
          + "| modules.json:1: invalid JSON at column 73 near ']': not JSON",
      "config_sentence_transformers.json| {\"prompts\": {\"query\": 5}}"
          + "| config_sentence_transformers.json: prompts.query must be a string, got 5",
      "config_sentence_transformers.json| {\"prompts\": [\"q\"]}"
          + "| config_sentence_transformers.json: prompts must be a JSON object, got an array",
      "config_sentence_transformers.json| {\"prompts\": {}, \"default_prompt_name\": false}"
          + "| config_sentence_transformers.json: default_prompt_name must be a string, got false",
      "1_Pooling/config.json| {\"pooling_mode_mean_tokens\": \"true\"}"
          + "| 1_Pooling/config.json: field 'pooling_mode_lasttoken' must be true or false, got \"true\"",
  })
  void sentenceTransformerFilesAreChecked(String name, String content, String expected) throws IOException {
    Path model = copyOfMicro();
    Files.writeString(model.resolve(name), content);
    if (name.equals("1_Pooling/config.json")) {
      Files.writeString(model.resolve(name), "{\"pooling_mode_lasttoken\": \"true\"}");
    }
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFolder.read(model));
    assertEquals(model + "/" + expected.strip(), e.getMessage().replace(" (names and strings need double quotes;"
        + " NaN, comments, trailing commas and a second value are not allowed)", ""));
  }

  @Test
  void tokenizerWithIdsBeyondTheVocabularyFailsAtLoadNamingBothFiles() throws IOException {
    Path model = copyOfMicro();
    String config = Files.readString(model.resolve("config.json"));
    Files.writeString(model.resolve("config.json"), config.replace("\"vocab_size\": 151936", "\"vocab_size\": 1000"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFolder.read(model));
    assertTrue(e.getMessage().startsWith(model.resolve("tokenizer.json") + ": token id 151"), e.getMessage());
    assertTrue(e.getMessage().contains("is beyond vocab_size 1000 of " + model.resolve("config.json")), e.getMessage());
  }

  @Test
  void nonFiniteWeightFailsTheLoadNamingTheTensor() {
    Qwen2Config config = Qwen2Config.of(ModelInit.QWEN2_VOCAB, 16, 32, 2, 2, 1);
    for (float bad : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
      Map<String, float[]> weights = ModelInit.randomWeights(config, 1);
      weights.get("layers.1.mlp.up_proj.weight")[7] = bad;
      Path model = tmp.resolve("nan-" + bad).resolve("model");
      ModelWriter.write(model, config, weights, TestModels.tokenizer(), SentenceTransformerSettings.kalm(), null);
      ModelFormatException e = assertThrows(ModelFormatException.class,
          () -> ModelLoader.load(ModelFolder.read(model), Backends.cpu()).close());
      assertEquals(model.resolve("model.safetensors") + ": tensor 'layers.1.mlp.up_proj.weight' contains NaN or"
          + " infinite values: the checkpoint is corrupt (or training diverged)", e.getMessage());
    }
  }

  @Test
  void nonFiniteEmbeddingRowFailsTheInferenceLoadThoughTheTableIsNotLoaded() {
    Qwen2Config config = Qwen2Config.of(ModelInit.QWEN2_VOCAB, 16, 32, 2, 2, 1);
    Map<String, float[]> weights = ModelInit.randomWeights(config, 1);
    weights.get("embed_tokens.weight")[16 * 150_000 + 3] = Float.POSITIVE_INFINITY; // a row no text may ever use
    Path model = tmp.resolve("inf-embedding").resolve("model");
    ModelWriter.write(model, config, weights, TestModels.tokenizer(), SentenceTransformerSettings.kalm(), null);
    ModelFolder folder = ModelFolder.read(model);
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> ModelLoader.loadForInference(folder, Backends.cpu(), folder.config()).close());
    assertEquals(model.resolve("model.safetensors") + ": tensor 'embed_tokens.weight' contains NaN or"
        + " infinite values: the checkpoint is corrupt (or training diverged)", e.getMessage());
  }

  @Test
  void checkpointDeeperThanItsConfigIsRejected() throws IOException {
    Path model = copyOfMicro();
    String config = Files.readString(model.resolve("config.json"));
    Files.writeString(model.resolve("config.json"), config.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 1"));
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> ModelLoader.load(ModelFolder.read(model), Backends.cpu()).close());
    assertTrue(e.getMessage().startsWith(model.resolve("config.json") + ": num_hidden_layers is 1 but the weights hold"
        + " 12 tensors of further layers, e.g. [layers.1."), e.getMessage());
  }
}
