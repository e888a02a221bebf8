package dev.kalm.core.jsonl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kalm.core.internal.json.StrictJson;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one strict parser: what it rejects, with which line, column and words; and strict UTF-8 line reading. */
class StrictJsonTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"text\": oops}| invalid JSON at column 10 near 'oops}': not JSON",
      "{text:'x'}| invalid JSON at column 3 near 'text:'x'}': not JSON",
      "{\"a\":NaN}| invalid JSON at column 6 near ':NaN}': not JSON",
      "{\"a\":1,}| invalid JSON at column 9 near '}': expected name",
      "{\"a\":1} x| invalid JSON at column 10",
      "{\"a\":1}{}| invalid JSON at column 9",
      "[1,2| unexpected end of input (truncated?)",
      "''| unexpected end of input",
      "{\"a\":1,\"a\":2}| duplicate name 'a'",
      "{\"a\":1e401}| number out of range",
      "// c| not JSON",
  })
  void rejectsWhatIsNotStrictJson(String text, String expected) {
    StrictJson.Malformed e = assertThrows(StrictJson.Malformed.class, () -> StrictJson.parse(text.equals("''") ? "" : text));
    assertTrue(e.problem().contains(expected.strip()), e.problem());
    assertEquals(1, e.line());
  }

  @Test
  void reportsTheLineOfAProblemInAFile() {
    StrictJson.Malformed e = assertThrows(StrictJson.Malformed.class, () -> StrictJson.parse("{\n  \"a\": 1,\n  b: 2\n}"));
    assertEquals(3, e.line());
    assertTrue(e.problem().startsWith("invalid JSON at column"), e.problem());
  }

  @Test
  void keepsExactNumbersAndAcceptsStrictJson() {
    JsonObject o = StrictJson.parse("\uFEFF".substring(1) + " {\"n\": 3000000000, \"x\": 0.1, \"s\": \"\\u00e9\", \"l\": [true, null]} ")
        .getAsJsonObject();
    assertEquals(3000000000L, o.get("n").getAsBigDecimal().longValueExact());
    assertEquals("0.1", o.get("x").getAsBigDecimal().toPlainString());
    assertEquals("é", o.get("s").getAsString());
    assertEquals(2, o.getAsJsonArray("l").size());
  }

  @Test
  void invalidUtf8IsReportedWithItsLine() {
    byte[] bytes = "{\"a\":1}\n{\"a\":2}\n{\"a\":\"\u00e9\"}\n".getBytes(StandardCharsets.UTF_8);
    bytes[bytes.length - 4] = (byte) 0xff; // second byte of é
    StrictJson.Malformed e = assertThrows(StrictJson.Malformed.class, () -> StrictJson.decodeUtf8(bytes));
    assertEquals(3, e.line());
    assertTrue(e.problem().startsWith("not valid UTF-8: byte 0xc3 at byte 7 of the line"), e.problem());
    assertEquals("x", StrictJson.decodeUtf8("\uFEFFx".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void jsonLinesNameFileLineAndReason() throws IOException {
    Path file = tmp.resolve("in.jsonl");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 1; i <= 4; i++) {
      out.write(("{\"text\":\"line " + i + "\"}\n").getBytes(StandardCharsets.UTF_8));
    }
    out.write(new byte[] {'{', '"', 't', '"', ':', '"', (byte) 0xe9, '"', '}', '\n'}); // Latin-1 é on line 5
    Files.write(file, out.toByteArray());
    try (Stream<JsonLine> lines = JsonLines.read(file)) {
      JsonLinesException e = assertThrows(JsonLinesException.class, () -> lines.forEach(l -> { }));
      assertEquals(file + ":5: not valid UTF-8: byte 0xe9 at byte 7 of the line", e.getMessage());
      assertEquals(5, e.line());
    }
    try (Stream<JsonLine> lines = JsonLines.read(new ByteArrayInputStream(out.toByteArray()), "stdin")) {
      JsonLinesException e = assertThrows(JsonLinesException.class, () -> lines.forEach(l -> { }));
      assertTrue(e.getMessage().startsWith("stdin:5: not valid UTF-8"), e.getMessage());
    }
    Files.writeString(file, "{\"text\":\"ok\"}\r\n\n{\"text\": oops}\n");
    try (Stream<JsonLine> lines = JsonLines.read(file)) {
      JsonLinesException e = assertThrows(JsonLinesException.class, () -> lines.forEach(l -> { }));
      assertEquals(file + ":3: invalid JSON at column 10 near 'oops}': not JSON (names and strings need double"
          + " quotes; NaN, comments, trailing commas and a second value are not allowed)", e.getMessage());
    }
  }

  @Test
  void gzippedLinesAndLastLineWithoutNewline() throws IOException {
    Path file = tmp.resolve("in.jsonl.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write("\uFEFF{\"a\":\"é\"}\r\n\n{\"a\":\"b\"}".getBytes(StandardCharsets.UTF_8));
    }
    try (Stream<JsonLine> lines = JsonLines.read(file)) {
      List<JsonLine> all = lines.toList();
      assertEquals(List.of("é", "b"), all.stream().map(l -> l.string("a")).toList());
      assertEquals(List.of(1L, 3L), all.stream().map(JsonLine::line).toList());
    }
  }

  @Test
  void nonFiniteNumbersBecomeNull() {
    JsonObject o = new JsonObject();
    o.addProperty("nan", Double.NaN);
    o.addProperty("ok", 1.5);
    JsonArray a = new JsonArray();
    a.add(Double.POSITIVE_INFINITY);
    o.add("list", a);
    assertEquals("{\"nan\":null,\"ok\":1.5,\"list\":[null]}", StrictJson.nullForNonFinite(o).toString());
  }
}
