package dev.kalm.spark;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.Embedders;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link Embedder} per {@link EmbedderSpec} per JVM, shared by every task the executor runs (a 0.5B
 * float32 model is about 2 GB: one copy per executor, not per task). Tasks take a {@link Lease}; when
 * the last lease of a spec is closed the embedder stays loaded for {@value #IDLE_PROPERTY} seconds
 * (default 60) for the next task or stage, then is closed; a JVM shutdown hook closes what is left.
 * Thread-safe.
 */
final class SharedEmbedders {
  /** System property: seconds an unused embedder stays loaded. */
  static final String IDLE_PROPERTY = "kalm.spark.embedderIdleSeconds";

  private static final Logger LOG = LoggerFactory.getLogger(SharedEmbedders.class);
  private static final Map<EmbedderSpec, Entry> ENTRIES = new HashMap<>();
  private static final ScheduledExecutorService CLOSER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "kalm-embedder-release");
    t.setDaemon(true);
    return t;
  });

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(SharedEmbedders::closeIdle, "kalm-embedder-shutdown"));
  }

  private SharedEmbedders() {}

  /** A lease on the embedder of {@code spec}, loading it when this JVM has none. Close the lease when done. */
  static Lease acquire(EmbedderSpec spec) {
    Entry entry;
    synchronized (SharedEmbedders.class) {
      entry = ENTRIES.computeIfAbsent(spec, s -> new Entry());
      entry.leases++;
      if (entry.release != null) {
        entry.release.cancel(false);
        entry.release = null;
      }
    }
    try {
      return new Lease(spec, entry, entry.embedder(spec));
    } catch (RuntimeException | Error e) {
      release(spec, entry);
      throw e;
    }
  }

  /** Number of loaded embedders in this JVM (for tests). */
  static synchronized int loaded() {
    return (int) ENTRIES.values().stream().filter(e -> e.embedder != null).count();
  }

  private static void release(EmbedderSpec spec, Entry entry) {
    synchronized (SharedEmbedders.class) {
      if (--entry.leases > 0) {
        return;
      }
      long idle = Long.getLong(IDLE_PROPERTY, 60);
      entry.release = CLOSER.schedule(() -> closeIfUnused(spec, entry), idle, TimeUnit.SECONDS);
    }
  }

  private static void closeIfUnused(EmbedderSpec spec, Entry entry) {
    synchronized (SharedEmbedders.class) {
      if (entry.leases > 0 || ENTRIES.get(spec) != entry) {
        return;
      }
      ENTRIES.remove(spec);
    }
    entry.close();
    LOG.info("kalm-spark: released model {} on {}", spec.modelSource(), ModelSource.host());
  }

  private static void closeIdle() {
    Map<EmbedderSpec, Entry> idle = new HashMap<>();
    synchronized (SharedEmbedders.class) {
      ENTRIES.forEach((spec, entry) -> {
        if (entry.leases == 0) {
          idle.put(spec, entry);
        }
      });
      idle.keySet().forEach(ENTRIES::remove);
    }
    idle.values().forEach(Entry::close);
  }

  /** One spec's embedder, loaded on first use by the first task that needs it. */
  private static final class Entry {
    int leases; // guarded by SharedEmbedders.class
    ScheduledFuture<?> release; // guarded by SharedEmbedders.class
    private Embedder embedder; // guarded by this

    synchronized Embedder embedder(EmbedderSpec spec) {
      if (embedder == null) {
        long start = System.nanoTime();
        Path folder = ModelSource.localFolder(spec.modelSource());
        embedder = Embedders.load(folder, spec.config());
        LOG.info("kalm-spark: loaded model {} ({}, dimension {}) on {} in {} s", spec.modelSource(), folder,
            embedder.dimension(), ModelSource.host(), String.format(java.util.Locale.ROOT, "%.2f", (System.nanoTime() - start) / 1e9));
      }
      return embedder;
    }

    synchronized void close() {
      if (embedder != null) {
        embedder.close();
        embedder = null;
      }
    }
  }

  /** A task's use of a shared embedder; closing it (once) lets the embedder be released. */
  static final class Lease implements AutoCloseable {
    private final EmbedderSpec spec;
    private final Entry entry;
    private final Embedder embedder;
    private boolean closed;

    private Lease(EmbedderSpec spec, Entry entry, Embedder embedder) {
      this.spec = spec;
      this.entry = entry;
      this.embedder = embedder;
    }

    Embedder embedder() {
      return embedder;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        release(spec, entry);
      }
    }
  }
}
