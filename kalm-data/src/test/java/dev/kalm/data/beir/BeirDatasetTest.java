package dev.kalm.data.beir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.collect.ImmutableMap;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data set written as a BEIR folder loads back equal. */
class BeirDatasetTest {
  @TempDir Path tmp;

  @Test
  void writeThenLoadGivesTheSameDataSet() {
    BeirDataset set = new BeirDataset(Path.of("memory"), "dev",
        ImmutableMap.of("d1", "ls list directory contents", "d2", "cp copies files \"quoted\" and\ttabbed", "d3", "mount"),
        ImmutableMap.of("q1", "list files", "q2", "copy a file"),
        ImmutableMap.of("q1", ImmutableMap.of("d1", 1), "q2", ImmutableMap.of("d2", 2, "d3", 0)),
        ImmutableMap.of("q1", ImmutableMap.of("section", "1"), "q2", ImmutableMap.of()));
    Path folder = tmp.resolve("beir");
    set.write(folder);
    BeirDataset back = BeirDataset.load(folder, "dev");
    assertEquals(set.corpus(), back.corpus());
    assertEquals(set.queries(), back.queries());
    assertEquals(set.qrels(), back.qrels());
    assertEquals(set.extras(), back.extras());
    assertEquals("dev", back.split());
  }
}
