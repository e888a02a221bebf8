package dev.kalm.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.kalm.core.internal.json.StrictJson;
import dev.kalm.core.model.ModelFormatException;
import dev.kalm.core.safetensors.SafetensorsFile;
import dev.kalm.core.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a checkpoint needs beyond the model to resume exactly: the optimizer step (which fixes the position
 * in the batch sequence, since batches derive from seed and epoch), the optimizer moments, and the data
 * fingerprint and config it was trained with. Stored as {@code trainer_state.json} and
 * {@code optimizer.safetensors}.
 */
record TrainerState(long step, long totalSteps, String dataFingerprint, JsonObject config) {
  static final String STATE_FILE = "trainer_state.json";
  static final String OPTIMIZER_FILE = "optimizer.safetensors";

  void write(Path folder, Map<String, SafetensorsWriter.Tensor> optimizer) throws IOException {
    JsonObject json = new JsonObject();
    json.addProperty("step", step);
    json.addProperty("total_steps", totalSteps);
    json.addProperty("data_fingerprint", dataFingerprint);
    json.add("config", config);
    Files.writeString(folder.resolve(STATE_FILE), new GsonBuilder().setPrettyPrinting().create().toJson(json),
        StandardCharsets.UTF_8);
    SafetensorsWriter.write(folder.resolve(OPTIMIZER_FILE), optimizer, Map.of("format", "kalm-adamw"));
  }

  /** Reads a checkpoint's state. @throws ModelFormatException naming the file when it is missing or bad */
  static TrainerState read(Path folder) {
    Path file = folder.resolve(STATE_FILE);
    try {
      JsonObject json = StrictJson.readFile(file).getAsJsonObject();
      return new TrainerState(json.get("step").getAsLong(), json.get("total_steps").getAsLong(),
          json.get("data_fingerprint").getAsString(), json.getAsJsonObject("config"));
    } catch (IOException e) {
      throw new ModelFormatException(file, "cannot resume: no readable trainer state (" + e.getMessage() + ")", e);
    } catch (RuntimeException e) {
      throw new ModelFormatException(file, "cannot resume: malformed trainer state: " + e.getMessage(), e);
    }
  }

  /** The optimizer moments of a checkpoint. */
  static Map<String, float[]> readOptimizer(Path folder) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (SafetensorsFile f = SafetensorsFile.open(folder.resolve(OPTIMIZER_FILE))) {
      f.tensors().keySet().forEach(name -> out.put(name, f.floatArray(name)));
    } catch (UncheckedIOException e) {
      throw new ModelFormatException(folder.resolve(OPTIMIZER_FILE), "cannot read optimizer state", e);
    }
    return out;
  }
}
