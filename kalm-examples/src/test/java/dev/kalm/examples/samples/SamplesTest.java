package dev.kalm.examples.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.testing.TestModels;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.synth.SynthReport;
import dev.kalm.data.testing.FakeLlmServer;
import dev.kalm.train.TrainingResult;
import dev.kalm.train.eval.EvaluationResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every sample program runs on a very small model, so none can rot. */
class SamplesTest {
  @TempDir Path tmp;

  static List<TrainingExample> examples(int n) {
    List<TrainingExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(TrainingExample.builder().query("question " + i + " about tool" + i)
          .positive("tool" + i + " does task " + i + " well").negative("recipe " + i).task("t" + (i % 2)).build());
    }
    return out;
  }

  @Test
  void embedAndSearchReturnsOneOfTheDocuments() {
    List<String> docs = List.of("ls lists files", "grep finds patterns", "tar makes archives");
    assertTrue(docs.contains(EmbedAndSearch.bestMatch(TestModels.micro(), docs, "list files")));
  }

  @Test
  void fineTuneWritesALoadableModel() throws IOException {
    Path data = tmp.resolve("train.jsonl");
    StringBuilder lines = new StringBuilder();
    for (TrainingExample e : examples(16)) {
      lines.append("{\"query\":\"").append(e.query()).append("\",\"pos\":[\"").append(e.firstPositive())
          .append("\"],\"neg\":[\"").append(e.negatives().get(0)).append("\"]}\n");
    }
    Files.writeString(data, lines);
    TrainingResult r = FineTune.fineTune(TestModels.micro(), data, tmp.resolve("tuned"), 3);
    assertEquals(3, r.steps());
    assertTrue(Files.isRegularFile(tmp.resolve("tuned/model.safetensors")));
  }

  @Test
  void quickStartEmbedsMinesAndTrains() throws IOException {
    Path data = tmp.resolve("train.jsonl");
    dev.kalm.data.example.TrainingExamples.write(data, examples(24));
    QuickStart.main(new String[] {TestModels.micro().toString(), data.toString(), tmp.resolve("quick").toString()});
    assertTrue(Files.isRegularFile(tmp.resolve("quick/model.safetensors")));
  }

  @Test
  void customSamplerTrains() {
    TrainingResult r = CustomSampler.train(TestModels.micro(), examples(16), tmp.resolve("bucketed"), 2);
    assertEquals(2, r.steps());
  }

  @Test
  void synthesizeAgainstALoopbackServer() throws IOException {
    try (FakeLlmServer server = FakeLlmServer.model()) {
      SynthReport report = SynthesizeFromLocalLlm.synthesize(server.endpoint(), "fake", tmp.resolve("synth.jsonl"));
      assertEquals(6, report.examplesPlanned(), report.toString());
      assertEquals(6, report.examplesWritten(), report.toString());
      assertEquals(6, Files.readAllLines(tmp.resolve("synth.jsonl")).size());
    }
  }

  @Test
  void evaluateBeirGivesScoresInRange() throws IOException {
    Path beir = tmp.resolve("beir");
    Files.createDirectories(beir.resolve("qrels"));
    Files.writeString(beir.resolve("corpus.jsonl"), "{\"_id\":\"d1\",\"title\":\"ls\",\"text\":\"list files\"}\n"
        + "{\"_id\":\"d2\",\"title\":\"\",\"text\":\"find patterns in text\"}\n");
    Files.writeString(beir.resolve("queries.jsonl"), "{\"_id\":\"q1\",\"text\":\"show files\"}\n");
    Files.writeString(beir.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
    EvaluationResult r = EvaluateBeir.evaluate(TestModels.micro(), beir);
    double ndcg = r.scores().get("ndcg_at_10");
    assertTrue(ndcg > 0 && ndcg <= 1, "ndcg " + ndcg);
  }
}
