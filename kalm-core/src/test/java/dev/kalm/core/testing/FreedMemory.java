package dev.kalm.core.testing;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes use-after-free of Java direct buffers visible: frees every unreachable direct buffer now, then reuses
 * small freed native blocks with NaN bit patterns. Tests call it between a recorded forward pass and backward,
 * where the garbage collector may run at any time in real use.
 */
public final class FreedMemory {
  private FreedMemory() {}

  /** Runs a full collection, waits until its reference processing has run, then refills small native blocks. */
  public static void collectAndOverwrite() {
    ReferenceQueue<Object> queue = new ReferenceQueue<>();
    PhantomReference<Object> sentinel = new PhantomReference<>(new Object(), queue);
    try {
      for (int i = 0; i < 10 && queue.poll() == null; i++) {
        System.gc();
        if (queue.remove(100) != null) {
          break;
        }
      }
      Thread.sleep(5); // direct-buffer cleaners of the same collection run on the reference handler thread
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the collector", e);
    }
    sentinel.clear();
    List<ByteBuffer> blocks = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      ByteBuffer block = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
      block.putFloat(0, Float.NaN).putFloat(4, Float.NaN);
      blocks.add(block);
    }
    blocks.clear();
  }
}
