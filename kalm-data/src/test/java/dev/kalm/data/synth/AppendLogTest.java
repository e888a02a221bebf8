package dev.kalm.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendLogTest {
  @TempDir Path dir;

  @Test
  void dropsOnlyAnUnterminatedLastLine() throws IOException {
    Path f = dir.resolve("a.jsonl");
    assertEquals(0, AppendLog.dropPartialLastLine(f), "absent file");
    Files.writeString(f, "");
    assertEquals(0, AppendLog.dropPartialLastLine(f));
    Files.writeString(f, "{\"a\":1}\n{\"b\":2}\n");
    assertEquals(0, AppendLog.dropPartialLastLine(f));
    assertEquals("{\"a\":1}\n{\"b\":2}\n", Files.readString(f));
    Files.writeString(f, "{\"a\":1}\n{\"b\":");
    assertEquals(5, AppendLog.dropPartialLastLine(f));
    assertEquals("{\"a\":1}\n", Files.readString(f));
    Files.writeString(f, "{\"a\":");
    assertEquals(5, AppendLog.dropPartialLastLine(f));
    assertEquals(0, Files.size(f));
  }

  @Test
  void findsTheLastNewlineAcrossBlocks() throws IOException {
    Path f = dir.resolve("big.jsonl");
    String first = "{\"x\":\"" + "é".repeat(10) + "\"}\n";
    String tail = "{\"y\":\"" + "z".repeat(200_000);
    Files.writeString(f, first + tail);
    assertEquals(tail.length(), AppendLog.dropPartialLastLine(f));
    assertEquals(first, Files.readString(f));
  }

  @Test
  void appendsWholeLinesWithoutHtmlEscaping() throws IOException {
    Path f = dir.resolve("sub/out.jsonl");
    try (AppendLog log = AppendLog.open(f)) {
      JsonObject o = new JsonObject();
      o.addProperty("query", "a <b> = 'c' \n 中文");
      log.append(o);
      log.append(o);
    }
    String text = Files.readString(f, StandardCharsets.UTF_8);
    assertEquals("{\"query\":\"a <b> = 'c' \\n 中文\"}\n".repeat(2), text);
  }
}
