package dev.kalm.core.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.internal.runtime.NativeRuntime;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.testing.Fixtures;
import dev.kalm.core.testing.TestModels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Batches of one call run side by side on CPU worker threads: same vectors, same order, same progress. */
class ParallelBatchesTest {
  private static EmbedderConfig config(int parallelBatches) {
    return EmbedderConfig.builder().device(DeviceChoice.CPU).maxLength(32).batchTokens(48)
        .parallelBatches(parallelBatches).build();
  }

  private static List<String> texts() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 57; i++) {
      out.add("text " + i + " " + "about files and folders and sockets ".repeat(1 + i % 5));
    }
    return out;
  }

  @Test
  void batchesSideBySideGiveTheVectorsOfBatchesOneAfterAnother() {
    List<String> texts = texts();
    float[][] sequential;
    try (Embedder one = Embedders.load(TestModels.micro(), config(1))) {
      sequential = one.embed(texts);
    }
    for (int parallel : new int[] {2, 3}) {
      try (Embedder side = Embedders.load(TestModels.micro(), config(parallel))) {
        float[][] vectors = side.embed(texts);
        assertEquals(sequential.length, vectors.length);
        for (int i = 0; i < vectors.length; i++) {
          assertArrayEquals(sequential[i], vectors[i], 1e-6f, "text " + i + " with " + parallel + " batches at once");
        }
      }
    }
  }

  @Test
  void loadingStartsTheWorkersAndClosingEndsThem() throws InterruptedException {
    Set<Thread> before = workerThreads(); // other tests' embedders may still be winding down
    Set<Thread> started = new HashSet<>();
    try (Embedder embedder = Embedders.load(TestModels.micro(), config(3))) {
      started.addAll(workerThreads());
      started.removeAll(before);
      assertEquals(3, started.size(), "started by the load, before any call: " + started);
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (started.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(started.stream().noneMatch(Thread::isAlive), "ended after close");
    Set<Thread> beforeOne = workerThreads();
    try (Embedder embedder = Embedders.load(TestModels.micro(), config(1))) {
      Set<Thread> now = workerThreads();
      now.removeAll(beforeOne);
      assertEquals(Set.of(), now, "one batch at a time runs on the caller's thread");
    }
  }

  private static Set<Thread> workerThreads() {
    Set<Thread> out = new HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith("kalm-embed-")) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void progressCountsTheTextsOfTheBatchesDoneInOrder() {
    List<String> texts = texts();
    try (Embedder embedder = Embedders.load(TestModels.micro(), config(3))) {
      List<Long> done = new ArrayList<>();
      Set<String> threads = ConcurrentHashMap.newKeySet();
      embedder.embed(texts, Prompt.none(), (n, total) -> {
        assertEquals(texts.size(), total);
        done.add(n);
        threads.add(Thread.currentThread().getName());
      });
      assertTrue(done.size() > 3, "several batches: " + done);
      for (int i = 1; i < done.size(); i++) {
        assertTrue(done.get(i) > done.get(i - 1), "increasing: " + done);
      }
      assertEquals(texts.size(), done.get(done.size() - 1));
      assertEquals(Set.of(Thread.currentThread().getName()), threads, "reported on the caller's thread");
    }
  }

  @Test
  void aFailureOnAWorkerReachesTheCaller() {
    List<String> texts = texts();
    Embedder embedder = Embedders.load(TestModels.micro(), config(2));
    AtomicBoolean first = new AtomicBoolean(true);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> embedder.embed(texts, Prompt.none(),
        (n, total) -> {
          if (first.getAndSet(false)) {
            embedder.close(); // the batches not yet started fail with the closed embedder's message
          }
        }));
    assertTrue(e.getMessage().contains("embedder is closed"), e.getMessage());
  }

  @Test
  void aWorkerThreadCanRunLibtorchOnOneThread() throws Exception {
    String arch = System.getProperty("os.arch");
    Fixtures.skipUnless(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux")
        && (arch.equals("amd64") || arch.equals("x86_64")), "libtorch's OpenMP and MKL are those of Linux x86-64");
    boolean[] limited = new boolean[1];
    Thread thread = new Thread(() -> limited[0] = NativeRuntime.limitCurrentThread(1));
    thread.start();
    thread.join();
    assertTrue(limited[0], "OpenMP and MKL of the worker thread set to 1 thread");
  }
}
