package dev.kalm.data.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.testing.Fixtures;
import dev.kalm.data.beir.BeirDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingExamplesTest {
  @TempDir Path dir;

  @Test
  void beirToExamples() throws IOException {
    Files.write(dir.resolve("corpus.jsonl"), List.of(
        "{\"_id\": \"d1\", \"title\": \"ls\", \"text\": \"lists files\"}",
        "{\"_id\": \"d2\", \"title\": \"\", \"text\": \"copies files\"}",
        "{\"_id\": \"d3\", \"text\": \"moves files\"}"));
    Files.write(dir.resolve("queries.jsonl"), List.of(
        "{\"_id\": \"q1\", \"text\": \"list\", \"section\": \"1\"}",
        "{\"_id\": \"q2\", \"text\": \"copy\"}",
        "{\"_id\": \"q3\", \"text\": \"nothing relevant\"}"));
    Files.createDirectories(dir.resolve("qrels"));
    Files.write(dir.resolve("qrels/test.tsv"), List.of("query-id\tcorpus-id\tscore", "q1\td1\t1", "q1\td3\t2",
        "q2\td2\t1", "q2\td1\t0", "q3\td3\t0", "q3\tmissing\t1"));
    List<TrainingExample> examples = TrainingExamples.fromBeir(BeirDataset.load(dir, "test"), "section", "beir");
    assertEquals(2, examples.size());
    assertEquals(List.of("ls lists files", "moves files"), examples.get(0).positives());
    assertEquals("1", examples.get(0).task());
    assertEquals(List.of("copies files"), examples.get(1).positives());
    assertEquals("beir", examples.get(1).task());
  }

  @Test
  void manDevConverts() {
    Path manDev = Fixtures.shared("data/man-dev");
    List<TrainingExample> examples = TrainingExamples.fromBeir(BeirDataset.load(manDev, "test"), "section", "man-dev");
    assertEquals(2705, examples.size());
    Set<String> tasks = examples.stream().map(TrainingExample::task).collect(Collectors.toSet());
    assertEquals(Set.of("1", "7"), tasks);
    assertTrue(examples.stream().allMatch(e -> e.positives().size() == 1));
  }
}
