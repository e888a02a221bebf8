package dev.kalm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: {@code kalm init} writes a folder that {@code kalm embed} and the API load and agree on. */
class EmbedCommandTest {
  @TempDir static Path tmp;
  static Path model;

  @BeforeAll
  static void init() {
    model = tmp.resolve("tiny");
    CliRunner.Result r = CliRunner.run("init", "--preset", "tiny", "--output", model.toString(), "--seed", "3");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(Files.isRegularFile(model.resolve("model.safetensors")));
    assertTrue(Files.isRegularFile(model.resolve("1_Pooling/config.json")));
    assertTrue(Files.isRegularFile(model.resolve("TOKENIZER_NOTICE")));
  }

  @Test
  void helpListsTheCommands() {
    CliRunner.Result r = CliRunner.run("--help");
    assertEquals(0, r.exitCode());
    assertTrue(r.out().contains("embed") && r.out().contains("init"), r.out());
    CliRunner.Result sub = CliRunner.run("embed", "--help");
    assertEquals(0, sub.exitCode());
    assertTrue(sub.out().contains("--instruction"), sub.out());
  }

  @Test
  void embedsAFileInInputOrderKeepingOtherFieldsAndMatchesTheApi() throws IOException {
    Path input = tmp.resolve("in.jsonl");
    Path output = tmp.resolve("out.jsonl");
    List<String> texts = List.of("grep searches files for patterns", " ", "Die Katze sitzt auf der Matte.", "ls");
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < texts.size(); i++) {
      lines.append("{\"text\":").append(new com.google.gson.Gson().toJson(texts.get(i)))
          .append(",\"id\":").append(i).append("}\n");
    }
    Files.writeString(input, lines, StandardCharsets.UTF_8);
    CliRunner.Result r = CliRunner.run("embed", "--model", model.toString(), "--input", input.toString(),
        "--output", output.toString(), "--dim", "16", "--instruction", "Find the manual page", "--device", "cpu");
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("", r.out(), "results go to the file, not stdout");
    List<String> out = Files.readAllLines(output);
    assertEquals(texts.size(), out.size());
    try (Embedder api = Embedders.load(model, EmbedderConfig.builder().dimension(16).device(DeviceChoice.CPU)
        .prompt(dev.kalm.core.embed.Prompt.instruction("Find the manual page")).build())) {
      float[][] want = api.embed(texts);
      for (int i = 0; i < texts.size(); i++) {
        JsonObject line = JsonParser.parseString(out.get(i)).getAsJsonObject();
        assertEquals(i, line.get("id").getAsInt());
        assertFalse(line.has("text"));
        for (int j = 0; j < 16; j++) {
          assertEquals(want[i][j], line.getAsJsonArray("embedding").get(j).getAsFloat(), 1e-6);
        }
      }
    }
  }

  @Test
  void standardInputToStandardOutput() {
    CliRunner.Result r = CliRunner.runWithInput("{\"text\":\"hello\"}\n\n{\"text\":\"world\"}\n", "embed", "--model", model.toString(),
        "--device", "cpu");
    assertEquals(0, r.exitCode(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(2, lines.length);
    assertEquals(64, JsonParser.parseString(lines[0]).getAsJsonObject().getAsJsonArray("embedding").size());
  }

  @Test
  void aMalformedLineStopsWithItsNumberAndWritesNothing() throws IOException {
    Path input = tmp.resolve("bad.jsonl");
    Path output = tmp.resolve("bad-out.jsonl");
    Files.writeString(input, "{\"text\":\"fine\"}\n{\"text\": 42}\n{\"text\":\"also fine\"}\n");
    CliRunner.Result r = CliRunner.run("embed", "--model", model.toString(), "--input", input.toString(),
        "--output", output.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("bad.jsonl:2") && r.err().contains("'text'"), r.err());
    assertFalse(Files.exists(output));
    Files.writeString(input, "{\"text\":\"fine\"}\n{not json\n");
    r = CliRunner.runWithInput("{\"text\":\"x\"}\n{oops\n", "embed", "--model", model.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("stdin:2") && r.err().contains("invalid JSON"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void aMissingModelFolderIsAClearError() {
    CliRunner.Result r = CliRunner.runWithInput("{\"text\":\"x\"}\n", "embed", "--model", tmp.resolve("none").toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("does not exist"), r.err());
  }
}
