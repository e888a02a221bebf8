package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.model.Attention;
import dev.kalm.core.model.ModelFolder;
import dev.kalm.core.model.Pooling;
import dev.kalm.train.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --attention} on every command that runs a model, {@code init} for Qwen3, and {@code train --recipe kalm}. */
class AttentionAndRecipeTest {
  @TempDir static Path tmp;
  static Path model;

  @BeforeAll
  static void init() {
    model = tmp.resolve("qwen3");
    CliRunner.Result r = CliRunner.run("init", "--preset", "qwen3-tiny", "--output", model.toString(), "--seed", "4",
        "--pooling", "last");
    assertEquals(0, r.exitCode(), r.err());
    ModelFolder folder = ModelFolder.read(model);
    assertEquals(dev.kalm.core.model.ModelType.QWEN3, folder.config().modelType());
    assertEquals(Pooling.LAST, folder.pooling());
  }

  @Test
  void everyModelCommandOffersAttention() {
    for (String command : List.of("embed", "mine", "eval", "search", "train")) {
      CliRunner.Result r = CliRunner.run(command, "--help");
      assertEquals(0, r.exitCode(), command + ": " + r.err());
      assertTrue(r.out().contains("--attention=causal|bidirectional"), command + ": " + r.out());
    }
    CliRunner.Result bad = CliRunner.runWithInput("{\"text\":\"x\"}\n", "embed", "--model", model.toString(),
        "--attention", "sideways");
    assertNotEquals(0, bad.exitCode());
    assertTrue(bad.err().contains("causal or bidirectional"), bad.err());
  }

  @Test
  void embedWithBidirectionalAttentionMatchesTheApiAndDiffersFromCausal() throws Exception {
    float[] causal = embedCli();
    float[] bidirectional = embedCli("--attention", "bidirectional");
    try (Embedder api = Embedders.load(model, EmbedderConfig.builder().attention(Attention.BIDIRECTIONAL)
        .device(DeviceChoice.CPU).build())) {
      float[] want = api.embed("grep searches files for patterns");
      double same = 0;
      double differs = 0;
      for (int i = 0; i < want.length; i++) {
        same = Math.max(same, Math.abs(want[i] - bidirectional[i]));
        differs = Math.max(differs, Math.abs(causal[i] - bidirectional[i]));
      }
      assertTrue(same < 1e-6, "CLI bidirectional = API bidirectional: " + same);
      assertTrue(differs > 1e-3, "bidirectional differs from causal: " + differs);
    }
  }

  @Test
  void maxLengthDefaultsToTheFoldersMaxSeqLength() throws Exception {
    Path folder = tmp.resolve("short");
    CliRunner.Result r = CliRunner.run("init", "--preset", "qwen3-tiny", "--output", folder.toString(), "--seed", "4",
        "--pooling", "last");
    assertEquals(0, r.exitCode(), r.err());
    Files.writeString(folder.resolve("sentence_bert_config.json"), "{\"max_seq_length\": 4, \"do_lower_case\": false}");
    Path saved = model;
    model = folder;
    try {
      float[] cli = embedCli();
      try (Embedder api = Embedders.load(folder, EmbedderConfig.builder().maxLength(4).device(DeviceChoice.CPU).build());
          Embedder full = Embedders.load(folder, EmbedderConfig.builder().maxLength(512).device(DeviceChoice.CPU)
              .build())) {
        float[] want = api.embed("grep searches files for patterns");
        float[] longer = full.embed("grep searches files for patterns");
        double same = 0;
        double differs = 0;
        for (int i = 0; i < want.length; i++) {
          same = Math.max(same, Math.abs(want[i] - cli[i]));
          differs = Math.max(differs, Math.abs(longer[i] - cli[i]));
        }
        assertTrue(same < 1e-6, "CLI uses max_seq_length 4: " + same);
        assertTrue(differs > 1e-3, "and not 512: " + differs);
      }
    } finally {
      model = saved;
    }
  }

  @Test
  void promptNamePicksTheFoldersNamedPrompt() throws Exception {
    Path folder = tmp.resolve("named");
    CliRunner.Result r = CliRunner.run("init", "--preset", "qwen3-tiny", "--output", folder.toString(), "--seed", "4",
        "--pooling", "last");
    assertEquals(0, r.exitCode(), r.err());
    dev.kalm.core.model.Prompt qwen3 = dev.kalm.core.model.Prompt.qwen3Instruction(
        "Given a web search query, retrieve relevant passages that answer the query");
    assertEquals("Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:",
        qwen3.prefix());
    Files.writeString(folder.resolve("config_sentence_transformers.json"), new com.google.gson.Gson().toJson(
        java.util.Map.of("prompts", java.util.Map.of("query", qwen3.prefix(), "document", ""))));
    Path saved = model;
    model = folder;
    try {
      float[] cli = embedCli("--prompt-name", "query");
      try (Embedder api = Embedders.load(folder, EmbedderConfig.builder().device(DeviceChoice.CPU).build())) {
        float[] want = api.embed(List.of("grep searches files for patterns"), qwen3)[0];
        for (int i = 0; i < want.length; i++) {
          assertEquals(want[i], cli[i], 1e-6);
        }
      }
    } finally {
      model = saved;
    }
  }

  private static float[] embedCli(String... extra) {
    String[] args = new String[4 + extra.length];
    args[0] = "embed";
    args[1] = "--model";
    args[2] = model.toString();
    args[3] = "--device=cpu";
    System.arraycopy(extra, 0, args, 4, extra.length);
    CliRunner.Result r = CliRunner.runWithInput("{\"text\":\"grep searches files for patterns\"}\n", args);
    assertEquals(0, r.exitCode(), r.err());
    JsonArray v = JsonParser.parseString(r.out().strip()).getAsJsonObject().getAsJsonArray("embedding");
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i).getAsFloat();
    }
    return out;
  }

  private static TrainerConfig trainConfig(String... extra) {
    TrainCommand command = new TrainCommand();
    String[] args = new String[6 + extra.length];
    System.arraycopy(new String[] {"--model", model.toString(), "--data", "x.jsonl", "--output", "out"}, 0, args, 0, 6);
    System.arraycopy(extra, 0, args, 6, extra.length);
    new CommandLine(command).parseArgs(args);
    return command.config();
  }

  @Test
  void recipeKalmSetsKalmsScriptValuesAndExplicitOptionsWin() {
    TrainerConfig defaults = trainConfig();
    assertEquals(0.05, defaults.temperature());
    assertNull(defaults.attention());
    TrainerConfig kalm = trainConfig("--recipe", "kalm", "--attention", "bidirectional");
    assertEquals(0.01, kalm.temperature());
    assertEquals(7, kalm.hardNegatives());
    assertEquals(List.of(64), kalm.matryoshkaDims(), "896..64 clipped to the 64-wide model");
    assertEquals(List.of(1.0), kalm.matryoshkaWeights());
    assertEquals(48, kalm.batchSize());
    assertTrue(kalm.sampler().toString().toLowerCase().contains("homogeneous"), kalm.sampler().toString());
    assertEquals(Pooling.MEAN, kalm.pooling());
    assertEquals(1e-5, kalm.learningRate());
    assertEquals(0.0, kalm.weightDecay());
    assertEquals(Attention.BIDIRECTIONAL, kalm.attention());
    TrainerConfig overridden = trainConfig("--recipe", "kalm", "--temperature", "0.05", "--batch-size", "4",
        "--mrl-dims", "32,16");
    assertEquals(0.05, overridden.temperature());
    assertEquals(4, overridden.batchSize());
    assertEquals(List.of(32, 16), overridden.matryoshkaDims());
    assertEquals(7, overridden.hardNegatives());
    CliRunner.Result help = CliRunner.run("train", "--help");
    assertTrue(help.out().contains("--recipe") && help.out().contains("per_device_train_batch_size"), help.out());
    assertTrue(Files.isDirectory(model));
  }
}
