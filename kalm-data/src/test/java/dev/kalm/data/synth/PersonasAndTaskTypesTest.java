package dev.kalm.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.jsonl.JsonLinesException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersonasAndTaskTypesTest {
  @TempDir Path dir;

  @Test
  void readsPersonaHubLines() throws IOException {
    Path f = dir.resolve("persona.jsonl");
    Files.writeString(f, "{\"persona\": \" A beekeeper in Wales. \", \"id\": 1}\n\n{\"persona\": \"A pilot.\"}\n");
    assertEquals(List.of("A beekeeper in Wales.", "A pilot."), Personas.read(f));
  }

  @Test
  void badPersonaLinesNameFileLineAndField() throws IOException {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"persona\": \"A pilot.\"}\n{\"name\": \"x\"}\n");
    JsonLinesException e = assertThrows(JsonLinesException.class, () -> Personas.read(f));
    assertEquals(2, e.line());
    assertEquals("persona", e.field());
    assertTrue(e.getMessage().startsWith(f + ":2"), e.getMessage());
    Files.writeString(f, "{\"persona\": \"  \"}\n");
    assertEquals("persona", assertThrows(JsonLinesException.class, () -> Personas.read(f)).field());
  }

  @Test
  void sampleIsSeededDistinctAndExtendsAsPrefix() {
    List<Integer> ten = Personas.sample(100, 10, 5);
    assertEquals(ten, Personas.sample(100, 10, 5));
    assertEquals(10, new HashSet<>(ten).size());
    assertEquals(ten, Personas.sample(100, 30, 5).subList(0, 10));
    assertEquals(3, Personas.sample(3, Integer.MAX_VALUE, 5).size());
    assertTrue(!ten.equals(Personas.sample(100, 10, 6)));
    assertTrue(Personas.builtIn().size() >= 20);
    assertEquals(Personas.builtIn().size(), new HashSet<>(Personas.builtIn()).size());
  }

  @Test
  void taskTypeIds() {
    assertEquals(List.of(TaskType.SHORT_LONG, TaskType.STS, TaskType.BITEXT),
        TaskType.parseList("short-long, STS,bitext"));
    assertEquals(TaskType.LONG_LONG, TaskType.fromId("long_long"));
    assertEquals("short-long,long-short,short-short,long-long,sts,bitext", TaskType.ids());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskType.parseList("sts,qa"));
    assertTrue(e.getMessage().contains("'qa'") && e.getMessage().contains("short-long"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TaskType.parseList("sts,sts"));
    assertThrows(IllegalArgumentException.class, () -> TaskType.parseList(" , "));
  }

  @Test
  void configValidationNamesTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SynthConfig.builder().tasksPerPersona(0).build());
    assertTrue(e.getMessage().contains("tasksPerPersona"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> SynthConfig.builder().language("Chinese").bitextLanguage("chinese").build());
    assertTrue(e.getMessage().contains("bitextLanguage"), e.getMessage());
    assertEquals(3L * 6 * 5 * 2, SynthConfig.builder().build().plannedExamples(3));
  }
}
