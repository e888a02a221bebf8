package dev.kalm.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.progress.ProgressListener;
import dev.kalm.data.testing.FakeLlmServer;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loopback throughput at concurrency 8 against the fake server, clean and with injected faults (500/503,
 * 429 with Retry-After: 0, dropped connections, malformed and incomplete JSON). Prints requests/s. In the
 * suite it uses 5 personas (510 requests per run); {@code -Dkalm.synth.benchPersonas=20} gives the
 * 2040-request runs quoted in docs/synth.md.
 */
class SynthThroughputTest {
  @TempDir Path dir;

  @Test
  void loopbackRequestsPerSecondAtConcurrencyEight() {
    int personas = Integer.getInteger("kalm.synth.benchPersonas", 5);
    SynthConfig config = SynthConfig.builder().personasLimit(personas).tasksPerPersona(4).examplesPerTask(4)
        .concurrency(8).invalidRetries(8).seed(1).build();
    long planned = personas * 6 * 4 * 4;
    try (FakeLlmServer server = FakeLlmServer.model()) { // warm-up (JIT, connections)
      SynthesizerTest.run(server, SynthConfig.builder().personasLimit(3).tasksPerPersona(4)
          .examplesPerTask(4).concurrency(8).build(), Personas.builtIn(), dir.resolve("warm.jsonl"),
          ProgressListener.NONE);
    }
    try (FakeLlmServer server = FakeLlmServer.model()) {
      long cpu = cpuNanos();
      SynthReport r = SynthesizerTest.run(server, config, Personas.builtIn(), dir.resolve("clean.jsonl"),
          ProgressListener.NONE);
      cpu = cpuNanos() - cpu;
      assertTrue(r.complete());
      assertEquals(planned + personas * 6, r.llm().requests());
      assertTrue(server.maxInFlight() <= 8, "in flight " + server.maxInFlight());
      print("clean", r, cpu);
    }
    SynthesizerTest.FaultyModel model = new SynthesizerTest.FaultyModel(0);
    try (FakeLlmServer server = FakeLlmServer.start(model)) {
      long cpu = cpuNanos();
      SynthReport r = SynthesizerTest.run(server, config, Personas.builtIn(), dir.resolve("faulty.jsonl"),
          ProgressListener.NONE);
      cpu = cpuNanos() - cpu;
      assertEquals(planned, r.examplesWritten() + r.examplesSkipped());
      assertEquals(model.httpFaults.get(), r.llm().retries());
      assertEquals(model.invalidSent.get(), r.invalidReplies());
      print("faulty", r, cpu);
    }
  }

  /** CPU time of this JVM (client and fake server together), all threads. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static void print(String name, SynthReport r, long cpuNanos) {
    System.out.printf("synth throughput (%s): %d requests (%d retries, %d invalid replies, %d written, %d skipped) "
            + "in %.2f s = %.0f requests/s; CPU %.2f ms per request (client + fake server, %d cores, load %.1f)%n",
        name, r.llm().requests(), r.llm().retries(), r.invalidReplies(), r.examplesWritten(), r.examplesSkipped(),
        r.elapsed().toNanos() / 1e9, r.requestsPerSecond(), cpuNanos / 1e6 / r.llm().requests(),
        Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }
}
