package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kalm.core.testing.Fixtures;
import dev.kalm.data.example.ExampleReader;
import dev.kalm.data.example.TrainingExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertCommandTest {
  @TempDir Path dir;

  static Path shared(String first, String... more) {
    return Fixtures.shared(Path.of(first, more).toString());
  }

  @Test
  void convertsManDev() {
    Path manDev = shared("data", "man-dev");
    Path out = dir.resolve("man-dev.jsonl");
    assertEquals(0, KalmCli.run("convert", "--beir", manDev.toString(), "--output", out.toString(), "--task-field", "section"));
    List<TrainingExample> examples = ExampleReader.strict().readAll(out);
    assertEquals(2705, examples.size());
    assertEquals(Set.of("1", "7"), examples.stream().map(TrainingExample::task).collect(Collectors.toSet()));
    assertEquals("friendlier interface for OpenSSL certificate programs", examples.get(0).query());

    Path plain = dir.resolve("plain.jsonl");
    assertEquals(0, KalmCli.run("convert", "--beir", manDev.toString(), "--output", plain.toString()));
    assertEquals(Set.of("man-dev"),
        ExampleReader.strict().readAll(plain).stream().map(TrainingExample::task).collect(Collectors.toSet()));
  }

  @Test
  void missingFolderFails() {
    assertNotEquals(0, KalmCli.run("convert", "--beir", dir.resolve("nope").toString(), "--output", dir.resolve("o.jsonl").toString()));
    assertEquals(false, Files.exists(dir.resolve("o.jsonl")));
  }
}
