package dev.kalm.examples.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  @Test
  void logModePrintsOneLinePerTenPercent() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicLong clock = new AtomicLong();
    ProgressBar bar = new ProgressBar("work", new PrintStream(bytes, true, StandardCharsets.UTF_8), false, clock::get);
    for (int i = 1; i <= 1000; i++) {
      clock.addAndGet(1_000_000); // 1 ms per unit
      bar.progress(i, 1000);
    }
    bar.finish();
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(11, lines.length); // the start, then each 10 %
    assertTrue(lines[0].startsWith("work  1/1000    0%"), lines[0]);
    assertTrue(lines[1].startsWith("work  100/1000   10%  1000.0/s  ETA 0:01"), lines[1]);
    assertTrue(lines[10].contains("1000/1000  100%") && lines[10].contains("done in 1.0 s"), lines[10]);
  }

  @Test
  void terminalModeRedrawsAboutFourTimesASecond() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicLong clock = new AtomicLong();
    ProgressBar bar = new ProgressBar("work", new PrintStream(bytes, true, StandardCharsets.UTF_8), true, clock::get);
    for (int i = 1; i <= 2000; i++) {
      clock.addAndGet(1_000_000); // 2 s in all
      bar.progress(i, 2000);
    }
    bar.finish();
    String out = bytes.toString(StandardCharsets.UTF_8);
    long redraws = out.chars().filter(c -> c == '\r').count();
    assertTrue(redraws >= 8 && redraws <= 12, redraws + " redraws");
    assertTrue(out.endsWith("\n"));
    assertEquals(1, out.chars().filter(c -> c == '\n').count());
  }

  @Test
  void unknownTotalPrintsEveryTenSeconds() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    AtomicLong clock = new AtomicLong();
    ProgressBar bar = new ProgressBar("lines", new PrintStream(bytes, true, StandardCharsets.UTF_8), false, clock::get);
    for (int i = 1; i <= 30; i++) {
      clock.addAndGet(1_000_000_000L);
      bar.progress(i, -1);
    }
    assertEquals(3, bytes.toString(StandardCharsets.UTF_8).split("\n").length);
  }
}
