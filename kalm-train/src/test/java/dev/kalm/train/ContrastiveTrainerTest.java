package dev.kalm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.testing.TestModels;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.sampler.BatchSamplers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer end to end on a very small model: loss goes down, checkpoints load, resume is exact. */
class ContrastiveTrainerTest {
  @TempDir Path tmp;

  static List<TrainingExample> examples(int n) {
    String[] topics = {"files", "network", "printing", "archives", "users", "processes", "disks", "text"};
    List<TrainingExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String topic = topics[i % topics.length];
      out.add(TrainingExample.builder()
          .query("how to manage " + topic + " number " + i)
          .positive("This manual page explains " + topic + " tool " + i + " and its options.")
          .negative("Unrelated text about cooking recipe " + i)
          .negative("Another unrelated note " + (i * 7))
          .task(i % 2 == 0 ? "1" : "8")
          .build());
    }
    return out;
  }

  static TrainerConfig.Builder config() {
    return TrainerConfig.builder().batchSize(4).learningRate(2e-3).hardNegatives(1).maxLength(32)
        .device(DeviceChoice.CPU).warmupSteps(1).seed(5);
  }

  static List<Double> losses(Path model, TrainerConfig config, List<TrainingExample> data, Path output, boolean resume) {
    List<Double> losses = new ArrayList<>();
    try (Trainer trainer = resume ? Trainers.resume(model, config) : Trainers.contrastive(model, config)) {
      trainer.train(data, output, new TrainingListener() {
        @Override
        public void onStep(StepReport r) {
          losses.add(r.loss());
        }
      });
    }
    return losses;
  }

  @Test
  void lossFallsAndTheSavedFolderLoadsWithProvenance() throws IOException {
    Path out = tmp.resolve("out");
    List<Double> losses = losses(TestModels.micro(), config().steps(12).build(), examples(32), out, false);
    assertEquals(12, losses.size());
    double firstThree = (losses.get(0) + losses.get(1) + losses.get(2)) / 3;
    double lastThree = (losses.get(9) + losses.get(10) + losses.get(11)) / 3;
    assertTrue(lastThree < firstThree, "loss should fall: " + losses);
    JsonObject provenance = JsonParser.parseString(Files.readString(out.resolve("kalm_provenance.json"))).getAsJsonObject();
    assertEquals(5, provenance.get("seed").getAsLong());
    assertTrue(provenance.get("data_fingerprint").getAsString().startsWith("sha256:"));
    assertTrue(provenance.getAsJsonObject("versions").has("djl"));
    try (Embedder e = Embedders.load(out, EmbedderConfig.builder().device(DeviceChoice.CPU).build())) {
      assertEquals(32, e.embed(List.of("hello")).length > 0 ? e.dimension() : -1);
    }
  }

  @Test
  void resumingFromAMidRunCheckpointGivesTheUninterruptedLosses() {
    TrainerConfig config = config().steps(6).saveEvery(3).gradAccumulation(2).matryoshka(List.of(32, 8), List.of(1.0, 0.5))
        .sampler(BatchSamplers.semiHomogeneous(4, 0.5, false)).build();
    List<TrainingExample> data = examples(24);
    Path full = tmp.resolve("full");
    List<Double> uninterrupted = losses(TestModels.micro(), config, data, full, false);
    assertTrue(Files.isRegularFile(full.resolve("checkpoint-3/trainer_state.json")), "checkpoint kept after the final save");
    Path resumed = tmp.resolve("resumed");
    List<Double> tail = losses(full.resolve("checkpoint-3"), config, data, resumed, true);
    assertEquals(3, tail.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(uninterrupted.get(3 + i), tail.get(i), 1e-6 * Math.abs(uninterrupted.get(3 + i)),
          "step " + (4 + i) + ": " + uninterrupted + " vs resumed " + tail);
    }
  }

  @Test
  void qwen3TrainsAndItsCheckpointKeepsTheQkNorms() throws IOException {
    dev.kalm.core.model.Qwen2Config shape = new dev.kalm.core.model.Qwen2Config(dev.kalm.core.model.ModelInit.QWEN3_VOCAB,
        32, 64, 2, 4, 2, 16, 1e-6, 1e6, 512, true, dev.kalm.core.embed.Attention.CAUSAL,
        dev.kalm.core.model.ModelType.QWEN3, false);
    Path base = TestModels.write(shape, 9, "kalm-qwen3");
    Path out = tmp.resolve("qwen3");
    List<Double> losses = losses(base, config().steps(4).build(), examples(16), out, false);
    assertEquals(4, losses.size());
    dev.kalm.core.model.ModelFolder saved = dev.kalm.core.model.ModelFolder.read(out);
    assertEquals(shape, saved.config());
    try (dev.kalm.core.safetensors.SafetensorsFile f =
        dev.kalm.core.safetensors.SafetensorsFile.open(out.resolve("model.safetensors"))) {
      float[] qNorm = f.floatArray("layers.0.self_attn.q_norm.weight");
      double moved = 0;
      for (float v : qNorm) {
        moved = Math.max(moved, Math.abs(v - 1f));
      }
      assertTrue(moved > 0, "q_norm was trained and saved");
    }
  }

  @Test
  void resumingOnOtherDataIsRefused() {
    TrainerConfig config = config().steps(2).saveEvery(1).build();
    Path out = tmp.resolve("a");
    losses(TestModels.micro(), config, examples(16), out, false);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> losses(out.resolve("checkpoint-1"), config, examples(20), tmp.resolve("b"), true));
    assertTrue(e.getMessage().contains("other data"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("b")), "nothing written on failure");
  }

  @Test
  void badConfigValuesAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config().temperature(0).build());
    assertTrue(e.getMessage().contains("temperature"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> config().matryoshka(List.of(8), List.of()).build());
    assertTrue(e.getMessage().contains("matryoshka"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> losses(TestModels.micro(), config().gradAccumulation(4).build(), examples(8), tmp.resolve("c"), false));
    assertTrue(e.getMessage().contains("batches"), e.getMessage());
  }
}
