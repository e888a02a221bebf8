package dev.kalm.core.jsonl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A line's fields as plain Java values and as JSON text, without Gson types. */
class JsonLineTest {
  private final JsonLine line = JsonLine.parse(
      "{\"s\":\"<b>\",\"n\":2.50,\"id\":7,\"t\":true,\"z\":null,\"list\":[1,null,\"x\"],\"map\":{\"b\":1,\"a\":[]}}",
      "in.jsonl", 4);

  @Test
  void fieldsInLineOrder() {
    assertEquals(List.of("s", "n", "id", "t", "z", "list", "map"), List.copyOf(line.fields()));
    assertThrows(UnsupportedOperationException.class, () -> line.fields().remove("s"));
  }

  @Test
  void valuesArePlainJava() {
    assertEquals("<b>", line.value("s"));
    assertEquals(new BigDecimal("2.50"), line.value("n"));
    assertEquals("7", line.value("id").toString());
    assertEquals(Boolean.TRUE, line.value("t"));
    assertNull(line.value("z"));
    assertNull(line.value("absent"));
    assertEquals(Arrays.asList(new BigDecimal("1"), null, "x"), line.value("list"));
    Map<?, ?> map = (Map<?, ?>) line.value("map");
    assertEquals(List.of("b", "a"), List.copyOf(map.keySet()));
    assertEquals(List.of(), map.get("a"));
    assertThrows(UnsupportedOperationException.class, () -> ((List<?>) line.value("list")).clear());
  }

  @Test
  void rawJsonIsCompactAndUnescaped() {
    assertEquals("\"<b>\"", line.rawJson("s"));
    assertEquals("{\"b\":1,\"a\":[]}", line.rawJson("map"));
    assertEquals("[1,null,\"x\"]", line.rawJson("list"));
    assertEquals("null", line.rawJson("z"));
    assertNull(line.rawJson("absent"));
  }

  @Test
  void parseNamesSourceAndLine() {
    assertEquals("in.jsonl", line.source());
    assertEquals(4, line.line());
    JsonLinesException e = assertThrows(JsonLinesException.class, () -> JsonLine.parse("[1]", "x.jsonl", 9));
    assertEquals(9, e.line());
    assertEquals("x.jsonl:9: expected a JSON object, got [...", e.getMessage());
  }

  @Test
  void equalWhenSourceLineAndContentAre() {
    assertEquals(JsonLine.parse("{\"a\":1}", "f", 1), JsonLine.parse("{\"a\": 1}", "f", 1));
    assertEquals(JsonLine.parse("{\"a\":1}", "f", 1).hashCode(), JsonLine.parse("{\"a\": 1}", "f", 1).hashCode());
    assertNotEquals(JsonLine.parse("{\"a\":1}", "f", 1), JsonLine.parse("{\"a\":1}", "f", 2));
    assertNotEquals(JsonLine.parse("{\"a\":1}", "f", 1), JsonLine.parse("{\"a\":2}", "f", 1));
  }
}
