package dev.kalm.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report type: field order, nesting, value forms, left-out values, escaping, the written file. */
class ReportTest {
  @TempDir Path dir;

  @Test
  void writesFieldsInOrderWithNestingAndValueForms() throws IOException {
    Report inner = Report.builder().add("calls", 3).add("rate", 0.25).build();
    Report report = Report.builder()
        .add("path", "a=<b>&'c'.jsonl")
        .add("count", 7L)
        .add("seconds", 2.0)
        .add("tiny", 1e-5)
        .add("ok", true)
        .add("none", (String) null)
        .add("nan", Double.NaN)
        .add("infinite", Double.NEGATIVE_INFINITY)
        .add("counts", ImmutableMap.of("b", 2L, "a", 1L))
        .add("metrics", Map.of("x", Double.NaN))
        .addStrings("errors", List.of("line 1: bad"))
        .addStrings("empty", List.of())
        .add("inner", inner)
        .addReports("parts", List.of(inner, Report.builder().build()))
        .build();
    String expected = """
        {
          "path": "a=<b>&'c'.jsonl",
          "count": 7,
          "seconds": 2.0,
          "tiny": 1.0E-5,
          "ok": true,
          "counts": {
            "b": 2,
            "a": 1
          },
          "metrics": {},
          "errors": [
            "line 1: bad"
          ],
          "empty": [],
          "inner": {
            "calls": 3,
            "rate": 0.25
          },
          "parts": [
            {
              "calls": 3,
              "rate": 0.25
            },
            {}
          ]
        }
        """;
    assertEquals(expected, report.toJson());
    assertEquals(List.of("path", "count", "seconds", "tiny", "ok", "counts", "metrics", "errors", "empty", "inner",
        "parts"), List.copyOf(report.fields().keySet()));
    assertEquals(7L, report.fields().get("count"));
    assertEquals(inner, report.fields().get("inner"));
    Path file = dir.resolve("report.json");
    report.write(file);
    assertEquals(expected, Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void htmlSafeEscapesAndAddAllCopies() {
    Report plain = Report.builder().add("output", "o='x'<&>").build();
    Report safe = Report.builder().addAll(plain).htmlSafe().build();
    assertEquals("{\n  \"output\": \"o\\u003d\\u0027x\\u0027\\u003c\\u0026\\u003e\"\n}\n", safe.toJson());
    assertEquals(plain.fields(), safe.fields());
    assertNotEquals(plain, safe);
    assertEquals("{\n  \"a\": 1,\n  \"output\": \"o='x'<&>\",\n  \"b\": false\n}\n",
        Report.builder().add("a", 1).addAll(plain).add("b", false).build().toJson());
  }

  @Test
  void aNameIsAddedOnceEvenWhenItsValueIsLeftOut() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Report.builder().add("x", 1).add("x", 2));
    assertEquals("field 'x' added twice", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Report.builder().add("x", Double.NaN).add("x", 2.0));
    assertThrows(IllegalArgumentException.class,
        () -> Report.builder().add("x", 1).addAll(Report.builder().add("x", 2).build()));
  }
}
