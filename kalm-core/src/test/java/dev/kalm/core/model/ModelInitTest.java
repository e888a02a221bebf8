package dev.kalm.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provenance a random model folder records, given as a typed value. */
class ModelInitTest {
  private static final Qwen2Config SHAPE = Qwen2Config.of(512, 16, 32, 1, 2, 1);

  @TempDir Path dir;

  @Test
  void provenanceNamesCreatorPresetAndSeed() throws IOException {
    Path folder = dir.resolve("with");
    ModelInit.writeRandom(folder, SHAPE, 3, null, SentenceTransformerSettings.kalm(),
        new ModelInit.Provenance("kalm init", "tiny"));
    assertEquals("{\"created_by\":\"kalm init\",\"preset\":\"tiny\",\"seed\":3}",
        JsonParser.parseString(Files.readString(folder.resolve("kalm_provenance.json"))).toString());
    Path without = dir.resolve("without");
    ModelInit.writeRandom(without, SHAPE, 3, null, SentenceTransformerSettings.kalm(), null);
    assertFalse(Files.exists(without.resolve("kalm_provenance.json")));
  }

  @Test
  void writerRefusesProvenanceThatIsNotAnObject() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelWriter.write(
        dir.resolve("m"), SHAPE, ModelInit.randomWeights(SHAPE, 1), dir, SentenceTransformerSettings.kalm(), "[1]"));
    assertEquals("provenance must be a JSON object, got [1]", e.getMessage());
    assertFalse(Files.exists(dir.resolve("m")));
  }
}
