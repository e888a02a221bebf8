package dev.kalm.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** Lazy chunked mapping of a partition's iterator: at most one chunk of input and its output in memory. */
final class Chunks {
  private Chunks() {}

  /** Work on one chunk of a partition. */
  @FunctionalInterface
  interface ChunkFunction<T, R> extends Serializable {
    List<R> apply(List<T> chunk) throws Exception;
  }

  /** {@code fn} applied to consecutive chunks of at most {@code size} elements, outputs concatenated, lazily. */
  static <T, R> Iterator<R> map(Iterator<T> input, int size, ChunkFunction<T, R> fn) {
    return new Iterator<>() {
      private Iterator<R> current = List.<R>of().iterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && input.hasNext()) {
          List<T> chunk = new ArrayList<>(Math.min(size, 1 << 16));
          while (chunk.size() < size && input.hasNext()) {
            chunk.add(input.next());
          }
          try {
            current = fn.apply(chunk).iterator();
          } catch (RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
        return current.hasNext();
      }

      @Override
      public R next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
  }
}
