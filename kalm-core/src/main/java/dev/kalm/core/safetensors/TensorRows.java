package dev.kalm.core.safetensors;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The rows of a two-dimensional floating-point tensor of a safetensors file, read from the file as they are asked
 * for and converted to float32 as {@link SafetensorsFile#readFloats} does. Nothing of the tensor is held in this
 * process: a 151,936-row embedding table costs the rows a batch uses, for as long as the batch needs them (the
 * operating system's page cache keeps the file's hot pages, outside the process).
 *
 * <p>Reads go through a {@link RandomAccessFile} of its own, which an interrupt does not close (a
 * {@code FileChannel} would be closed for every later read). kalm replaces files atomically, so the open file
 * stays intact when a new one is written under its name. Thread-safe: reads of one call are made under a lock.
 * {@link #close()} closes the file.
 */
public final class TensorRows implements AutoCloseable {
  /** Runs of consecutive rows are read in pieces of at most this many bytes (or one row). */
  private static final int MAX_READ_BYTES = 1 << 20;

  private final Path path;
  private final String name;
  private final DType dtype;
  private final long rowCount;
  private final int width;
  private final long start; // byte offset of row 0 in the file
  private final RandomAccessFile file; // guarded by itself
  private byte[] scratch = new byte[0]; // guarded by file: the bytes of one read

  TensorRows(Path path, String name, DType dtype, long rowCount, int width, long start) throws IOException {
    this.path = path;
    this.name = name;
    this.dtype = dtype;
    this.rowCount = rowCount;
    this.width = width;
    this.start = start;
    this.file = new RandomAccessFile(path.toFile(), "r");
  }

  /** The tensor's name in its file. */
  public String name() {
    return name;
  }

  /** Number of rows (the first dimension). */
  public long rowCount() {
    return rowCount;
  }

  /** Elements per row (the second dimension). */
  public int width() {
    return width;
  }

  /**
   * Writes rows {@code ids[0]}, {@code ids[1]}, ... one after another as float32 into {@code out}, from its
   * position on; the position ends after them. Each distinct row is read once, runs of consecutive rows in reads
   * of up to 1 MiB.
   *
   * @throws IndexOutOfBoundsException naming the first id outside {@code [0, rowCount)}; nothing is written then
   * @throws IllegalArgumentException when {@code out} has room for fewer than {@code ids.length} rows
   * @throws SafetensorsException naming the file and tensor when the file cannot be read (closed, truncated)
   */
  public void read(long[] ids, FloatBuffer out) {
    checkArgument(out.remaining() / width >= ids.length, "out has room for %s floats, %s rows of %s need more",
        out.remaining(), ids.length, width);
    for (long id : ids) {
      if (id < 0 || id >= rowCount) {
        throw new IndexOutOfBoundsException("row " + id + " is outside tensor '" + name + "' of " + rowCount + " rows");
      }
    }
    // (id, place) pairs sorted by id: each distinct row is read once, into the place of its first occurrence,
    // and copied to the others; runs of consecutive ids are read together. Nothing here allocates per row, so a
    // batch leaves almost no garbage on the Java heap.
    long[] byId = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      byId[i] = ids[i] * ids.length + i;
    }
    Arrays.sort(byId);
    int base = out.position();
    int rowBytes = width * dtype.bytes();
    int runRows = Math.max(1, MAX_READ_BYTES / rowBytes);
    try {
      synchronized (file) {
        for (int first = 0; first < byId.length; ) {
          long firstId = byId[first] / ids.length;
          int end = first; // one past the pairs of this run
          int rows = 0;
          for (long next = firstId; end < byId.length && rows < runRows && byId[end] / ids.length == next; next++) {
            while (end < byId.length && byId[end] / ids.length == next) {
              end++;
            }
            rows++;
          }
          if (scratch.length < rows * rowBytes) {
            scratch = new byte[rows * rowBytes];
          }
          file.seek(start + firstId * rowBytes);
          file.readFully(scratch, 0, rows * rowBytes);
          ByteBuffer raw = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN);
          int source = -1;
          for (int k = first; k < end; k++) {
            long id = byId[k] / ids.length;
            int place = base + (int) (byId[k] % ids.length) * width;
            if (k == first || id != byId[k - 1] / ids.length) {
              decode(raw, (int) (id - firstId) * width, out, place);
              source = place;
            } else {
              out.put(place, out, source, width);
            }
          }
          first = end;
        }
      }
    } catch (IOException e) {
      throw new SafetensorsException(path, "cannot read rows of tensor '" + name + "': " + e.getMessage(), e);
    }
    out.position(base + ids.length * width);
  }

  /** Decodes the row of {@link #width} elements at element {@code from} of {@code raw} into {@code out} at {@code at}. */
  private void decode(ByteBuffer raw, int from, FloatBuffer out, int at) {
    switch (dtype) {
      case F32 -> out.put(at, raw.asFloatBuffer(), from, width);
      case BF16 -> {
        for (int i = 0; i < width; i++) {
          out.put(at + i, Float.intBitsToFloat((raw.getShort(2 * (from + i)) & 0xffff) << 16));
        }
      }
      case F16 -> {
        for (int i = 0; i < width; i++) {
          out.put(at + i, SafetensorsFile.halfToFloat(raw.getShort(2 * (from + i))));
        }
      }
      case F64 -> {
        for (int i = 0; i < width; i++) {
          out.put(at + i, (float) raw.getDouble(8 * (from + i)));
        }
      }
      default -> throw new AssertionError(dtype);
    }
  }

  /** Closes the file; later reads fail. Idempotent. */
  @Override
  public void close() {
    try {
      file.close();
    } catch (IOException ignored) {
      // a read-only file: nothing is lost
    }
  }
}
