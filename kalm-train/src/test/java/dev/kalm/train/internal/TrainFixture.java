package dev.kalm.train.internal;

import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.device.Backends;
import dev.kalm.core.internal.model.ModelLoader;
import dev.kalm.core.internal.model.Qwen2Model;
import dev.kalm.core.model.ModelFolder;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.safetensors.SafetensorsFile;
import dev.kalm.core.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The qwen2-tiny training fixture: model, one contrastive batch, and the PyTorch reference figures. */
final class TrainFixture {
  final List<long[]> queries;
  final List<long[]> positives;
  final List<long[]> negatives;
  final JsonObject reference;

  TrainFixture() {
    Path dir = Fixtures.qwen2Tiny();
    try (SafetensorsFile batch = SafetensorsFile.open(dir.resolve("train_batch.safetensors"))) {
      queries = rows(batch, "q");
      positives = rows(batch, "p");
      negatives = rows(batch, "n");
      reference = JsonParser.parseString(Files.readString(dir.resolve("train_reference.json"))).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Qwen2Model model() {
    Path dir = Fixtures.qwen2Tiny();
    Qwen2Config config = Qwen2Config.read(dir.resolve("config.json"));
    return ModelLoader.load(new ModelFolder(dir, config, dir.resolve("tokenizer.json"), null, ImmutableMap.of(), null),
        Backends.cpu());
  }

  /** Passages in the loss's layout: positives (query order), then negatives. */
  List<long[]> passages() {
    List<long[]> all = new ArrayList<>(positives);
    all.addAll(negatives);
    return all;
  }

  private static List<long[]> rows(SafetensorsFile file, String prefix) {
    long[] shape = file.info(prefix + "_ids").shape();
    long[] ids = file.longs(prefix + "_ids");
    long[] mask = file.longs(prefix + "_mask");
    int length = (int) shape[1];
    List<long[]> out = new ArrayList<>();
    for (int r = 0; r < shape[0]; r++) {
      int n = 0;
      while (n < length && mask[r * length + n] == 1) {
        n++;
      }
      for (int t = n; t < length; t++) {
        if (mask[r * length + t] != 0) {
          throw new IllegalStateException("fixture " + prefix + " row " + r + " is not right-padded");
        }
      }
      long[] row = new long[n];
      System.arraycopy(ids, r * length, row, 0, n);
      out.add(row);
    }
    return out;
  }
}
