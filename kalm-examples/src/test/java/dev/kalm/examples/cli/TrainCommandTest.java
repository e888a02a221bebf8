package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.testing.TestModels;
import dev.kalm.data.example.TrainingExample;
import dev.kalm.data.example.TrainingExamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kalm train} end to end on the micro model: the JSON Lines log, evaluation, and --resume with --eval-data. */
class TrainCommandTest {
  @TempDir Path tmp;

  private Path data() {
    String[] topics = {"files", "network", "printing", "archives", "users", "processes"};
    List<TrainingExample> examples = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      examples.add(TrainingExample.builder().query("manage " + topics[i % topics.length] + " number " + i)
          .positive("tool " + i + " manages " + topics[i % topics.length]).task("1").build());
    }
    Path file = tmp.resolve("train.jsonl");
    TrainingExamples.write(file, examples);
    return file;
  }

  private String[] args(Path data, Path out, String... more) {
    List<String> all = new ArrayList<>(List.of("train", "--model", TestModels.micro().toString(), "--data",
        data.toString(), "--output", out.toString(), "--steps", "4", "--batch-size", "4", "--hard-negatives", "0",
        "--max-length", "32", "--device", "cpu", "--lr", "1e-3", "--eval-data", data.toString(), "--eval-task", "pair",
        "--eval-every", "2"));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  @Test
  void logsEveryStepAndResumesWithEvaluation() throws IOException {
    Path data = data();
    Path pairs = tmp.resolve("pairs.jsonl");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      lines.append("{\"sentence1\": \"manage files ").append(i).append("\", \"sentence2\": \"tool ").append(i)
          .append(" manages files\", \"label\": ").append(i % 2).append("}\n");
    }
    Files.writeString(pairs, lines);
    Path out = tmp.resolve("out");
    Path log = tmp.resolve("log.jsonl");
    String[] first = args(data, out, "--save-every", "2", "--log", log.toString());
    first[java.util.Arrays.asList(first).indexOf("--eval-data") + 1] = pairs.toString();
    CliRunner.Result run = CliRunner.run(first);
    assertEquals(0, run.exitCode(), run.err());
    List<String> logLines = Files.readAllLines(log);
    long stepLines = logLines.stream().filter(l -> l.contains("\"loss\"")).count();
    long evalLines = logLines.stream().filter(l -> l.contains("\"eval_main_score\"")).count();
    assertEquals(4, stepLines, logLines.toString());
    assertEquals(2, evalLines, logLines.toString());
    JsonObject step = JsonParser.parseString(logLines.get(0)).getAsJsonObject();
    for (String field : List.of("step", "epoch", "loss", "lr", "grad_norm", "tokens_per_s", "seconds", "resident_mib")) {
      assertTrue(step.has(field), field + " in " + step);
    }
    assertTrue(Files.isDirectory(out.resolve("checkpoint-2")));
    assertTrue(Files.isDirectory(out.resolve("checkpoint-best")));
    assertTrue(run.err().contains("examples from"), run.err());
    assertTrue(!run.err().contains("ReadReport["), run.err());

    String[] resumed = args(data, out, "--save-every", "2", "--resume", out.resolve("checkpoint-2").toString());
    resumed[java.util.Arrays.asList(resumed).indexOf("--eval-data") + 1] = pairs.toString();
    CliRunner.Result again = CliRunner.run(resumed);
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(again.err().contains("best evaluation score"), again.err());
    JsonObject best = JsonParser.parseString(Files.readString(out.resolve("checkpoint-best/kalm_provenance.json")))
        .getAsJsonObject();
    assertTrue(best.has("eval_main_score"), best.toString());
  }
}
