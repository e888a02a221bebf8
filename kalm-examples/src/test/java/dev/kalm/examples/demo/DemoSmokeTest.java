package dev.kalm.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.data.beir.BeirDataset;
import dev.kalm.data.example.ExampleReader;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.example.TrainingExamples;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo pipeline end to end with a tiny budget and model on a small data set. */
class DemoSmokeTest {
  @TempDir Path tmp;

  @Test
  void producesTheTableTheModelAndDoesNotGetWorseOnItsTrainingSplit() {
    String[] topics = {"files", "network", "printer", "archive", "user", "process", "disk", "text", "mail", "time"};
    List<TrainingExample> examples = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String topic = topics[i % topics.length];
      examples.add(TrainingExample.builder()
          .query("manage " + topic + " with tool" + i)
          .positive("tool" + i + " is a program to manage " + topic + " from the command line")
          .task(String.valueOf(1 + i % 2)).build());
    }
    Path data = tmp.resolve("train.jsonl");
    TrainingExamples.write(data, examples);
    DemoConfig config = new DemoConfig(2, "tiny", 7, tmp.resolve("demo"), data, 1000, 0.2, 32, 8, 2, 2e-3, false);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Demo.Report report = Demo.run(config, new PrintStream(log, true, StandardCharsets.UTF_8));
    String table = report.table();
    System.out.print(table);
    assertEquals(2, report.rows().size(), table);
    assertTrue(table.contains("untrained") && table.contains("full pipeline") && table.contains("nDCG@10/64"), table);
    assertTrue(Files.isRegularFile(tmp.resolve("demo/model/model.safetensors")));
    assertTrue(Files.isRegularFile(tmp.resolve("demo/model/1_Pooling/config.json")));
    assertTrue(Files.isRegularFile(tmp.resolve("demo/demo-report.json")));
    assertFalse(Files.exists(tmp.resolve("demo/model/optimizer.safetensors")), "optimizer state is dropped");
    assertTrue(Files.isRegularFile(tmp.resolve("demo/warmup/model.safetensors")), "the mining teacher stays");
    assertFalse(Files.exists(tmp.resolve("demo/warmup/optimizer.safetensors")), "optimizer state is dropped");
    assertFalse(Files.exists(tmp.resolve("demo/base")), "the untrained model is dropped");
    double before = report.rows().get(0).probeNdcg();
    double after = report.rows().get(1).probeNdcg();
    assertTrue(after >= before, "training-split nDCG@10 fell: " + before + " -> " + after + "\n" + table);
  }

  @Test
  void exportsTheDemoDataAsTheOtherCommandsReadIt() {
    List<TrainingExample> examples = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      examples.add(TrainingExample.builder().query("query " + i).positive("document " + i).task("1").build());
    }
    Path data = tmp.resolve("all.jsonl");
    TrainingExamples.write(data, examples);
    DemoConfig config = new DemoConfig(1, "tiny", 7, tmp.resolve("unused"), data, 1000, 0.2, 32, 8, 2, 2e-3, false);
    String summary = Demo.exportData(config, tmp.resolve("export"));
    List<TrainingExample> train = ExampleReader.strict().readAll(tmp.resolve("export/train.jsonl"));
    BeirDataset heldOut = BeirDataset.load(tmp.resolve("export/beir"), "test");
    assertEquals(32, train.size(), summary);
    assertEquals(8, heldOut.queries().size(), summary);
    assertEquals(8, heldOut.corpus().size(), summary);
    Set<String> trainQueries = new HashSet<>();
    train.forEach(e -> trainQueries.add(e.query()));
    heldOut.queries().values().forEach(q -> assertFalse(trainQueries.contains(q), "held-out query in training: " + q));
  }
}
