package dev.kalm.core.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.progress.ProgressListener;
import dev.kalm.core.stop.StopSignal;
import dev.kalm.core.stop.StoppedException;
import dev.kalm.core.testing.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** close() while other threads embed, every method after close, and stopping at batch boundaries. */
class EmbedderLifecycleTest {
  private static final EmbedderConfig SMALL_BATCHES =
      EmbedderConfig.builder().device(DeviceChoice.CPU).maxLength(32).batchTokens(40).build();

  private static List<String> texts(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("text number " + i + " about " + (i % 3 == 0 ? "files and folders" : "network sockets"));
    }
    return out;
  }

  @Test
  void everyMethodThrowsAfterClose() {
    Embedder embedder = Embedders.load(TestModels.micro(), SMALL_BATCHES);
    embedder.close();
    embedder.close(); // harmless
    List<Executable> calls = List.of(
        () -> embedder.embed(List.of("a")),
        () -> embedder.embed(List.of("a"), Prompt.none()),
        () -> embedder.embed(List.of("a"), Prompt.none(), ProgressListener.NONE),
        () -> embedder.embed("a"),
        embedder::dimension,
        () -> embedder.tokenCount("a"),
        embedder::config);
    for (Executable call : calls) {
      IllegalStateException e = assertThrows(IllegalStateException.class, call);
      assertEquals("embedder is closed", e.getMessage());
    }
  }

  /**
   * Threads embed many small batches while the main thread closes the embedder: each call either completes
   * with the right vectors or fails with kalm's own message, never with DJL's "released already" or a crash.
   */
  @Test
  void closeWhileOtherThreadsEmbedWaitsForTheirBatchesAndFailsTheRest() throws InterruptedException {
    List<String> texts = texts(24);
    float[][] expected;
    try (Embedder reference = Embedders.load(TestModels.micro(), SMALL_BATCHES)) {
      expected = reference.embed(texts);
    }
    for (int round = 0; round < 3; round++) {
      Embedder embedder = Embedders.load(TestModels.micro(), SMALL_BATCHES);
      ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
      AtomicInteger completed = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      CountDownLatch started = new CountDownLatch(3);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        Thread thread = new Thread(() -> {
          while (true) {
            try {
              float[][] got = embedder.embed(texts, Prompt.none(), (done, total) -> started.countDown());
              for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(expected[i], got[i], 1e-5f, "row " + i);
              }
              completed.incrementAndGet();
            } catch (IllegalStateException e) {
              if ("embedder is closed".equals(e.getMessage())) {
                refused.incrementAndGet();
                return;
              }
              unexpected.add(e);
              return;
            } catch (Throwable e) {
              unexpected.add(e);
              return;
            }
          }
        });
        threads.add(thread);
        thread.start();
      }
      assertTrue(started.await(60, TimeUnit.SECONDS), "the threads did not start embedding");
      embedder.close();
      for (Thread thread : threads) {
        thread.join(60_000);
        assertFalse(thread.isAlive(), "a thread still runs after close");
      }
      assertTrue(unexpected.isEmpty(), "unexpected failures: " + unexpected);
      assertEquals(3, refused.get(), "every thread ends with 'embedder is closed'");
    }
  }

  @Test
  void aStopRequestEndsTheCallAtTheNextBatch() {
    List<String> texts = texts(30);
    try (Embedder embedder = Embedders.load(TestModels.micro(), SMALL_BATCHES)) {
      StopSignal stop = StopSignal.create();
      List<Long> reports = new ArrayList<>();
      try (StopSignal.Binding bound = stop.bind()) {
        assertThrows(StoppedException.class, () -> embedder.embed(texts, Prompt.none(), (done, total) -> {
          reports.add(done);
          stop.stop();
        }));
      }
      assertEquals(1, reports.size(), "exactly one batch ran after the stop was requested: " + reports);
      assertTrue(reports.get(0) < texts.size(), "several batches were planned");
      // Unbound again: the same call runs to the end.
      assertEquals(texts.size(), embedder.embed(texts).length);

      Thread.currentThread().interrupt();
      try {
        assertThrows(StoppedException.class, () -> embedder.embed(texts));
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is left set");
      } finally {
        Thread.interrupted();
      }
    }
  }
}
