package dev.kalm.core.safetensors;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The rows of a two-dimensional floating-point tensor of a safetensors file, read from the file as they are asked
 * for and converted to float32 as {@link SafetensorsFile#readFloats} does. Nothing of the tensor is held in this
 * process but a cache of recently read rows (direct-mapped, at most 16 MiB): a 151,936-row embedding table costs
 * the rows a batch uses and the cache (the operating system's page cache keeps the file's hot pages, outside the
 * process).
 *
 * <p>Reads go through a {@link RandomAccessFile} of its own, which an interrupt does not close (a
 * {@code FileChannel} would be closed for every later read). kalm replaces files atomically, so the open file
 * stays intact when a new one is written under its name. Thread-safe: reads of one call are made under a lock.
 * {@link #close()} closes the file.
 */
public final class TensorRows implements AutoCloseable {
  /** Runs of consecutive rows are read in pieces of at most this many bytes (or one row). */
  private static final int MAX_READ_BYTES = 1 << 20;
  /** The cache of recently read rows holds at most this many bytes of float32 rows. */
  private static final long CACHE_BYTES = 16L << 20;

  private final Path path;
  private final String name;
  private final DType dtype;
  private final long rowCount;
  private final int width;
  private final long start; // byte offset of row 0 in the file
  private final RandomAccessFile file; // guarded by itself
  private byte[] scratch = new byte[0]; // guarded by file: the bytes of one read
  private final long[] cachedIds; // guarded by file: the row held in each cache slot, -1 for none
  private float[] cache = new float[0]; // guarded by file: cachedIds.length rows, allocated on first use
  private boolean closed; // guarded by file

  /** @param cacheRows slots of the row cache, 0 for as many as 16 MiB hold (at most one per row) */
  TensorRows(Path path, String name, DType dtype, long rowCount, int width, long start, int cacheRows)
      throws IOException {
    this.path = path;
    this.name = name;
    this.dtype = dtype;
    this.rowCount = rowCount;
    this.width = width;
    this.start = start;
    int slots = cacheRows > 0 ? cacheRows : (int) Math.max(1, Math.min(rowCount, CACHE_BYTES / (4L * width)));
    this.cachedIds = new long[slots];
    Arrays.fill(cachedIds, -1);
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
   * position on; the position ends after them. Each distinct row is taken from the cache or read once, runs of
   * consecutive rows in reads of up to 1 MiB.
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
    // (id, place) pairs sorted by id: each distinct row is taken from the cache or read into it (runs of
    // consecutive missing ids in one read), then copied to every place that wants it. Copies are bulk copies
    // between the cache array and the output, and nothing is allocated per row, so a batch leaves almost no
    // garbage on the Java heap.
    int n = ids.length;
    long[] byId = new long[n];
    for (int i = 0; i < n; i++) {
      byId[i] = ids[i] * n + i;
    }
    Arrays.sort(byId);
    int base = out.position();
    int rowBytes = width * dtype.bytes();
    int runRows = Math.max(1, MAX_READ_BYTES / rowBytes);
    try {
      synchronized (file) {
        if (closed) {
          throw new IOException("closed");
        }
        if (cache.length == 0 && n > 0) {
          cache = new float[cachedIds.length * width];
        }
        for (int k = 0; k < n; ) {
          long id = byId[k] / n;
          int slot = (int) (id % cachedIds.length);
          if (cachedIds[slot] == id) {
            k = copyOut(byId, k, slot, out, base);
            continue;
          }
          int rows = 1; // a run of consecutive ids, none of them cached
          for (int at = nextId(byId, k); rows < runRows && at < n && byId[at] / n == id + rows
              && cachedIds[(int) ((id + rows) % cachedIds.length)] != id + rows; at = nextId(byId, at)) {
            rows++;
          }
          if (scratch.length < rows * rowBytes) {
            scratch = new byte[rows * rowBytes];
          }
          file.seek(start + id * rowBytes);
          file.readFully(scratch, 0, rows * rowBytes);
          ByteBuffer raw = ByteBuffer.wrap(scratch, 0, rows * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
          FloatBuffer rawFloats = dtype == DType.F32 ? raw.asFloatBuffer() : null;
          for (int r = 0; r < rows; r++) { // each row is copied out before a later one may take its slot
            int rowSlot = (int) ((id + r) % cachedIds.length);
            decode(raw, rawFloats, r * width, rowSlot * width);
            cachedIds[rowSlot] = id + r;
            k = copyOut(byId, k, rowSlot, out, base);
          }
        }
      }
    } catch (IOException e) {
      throw new SafetensorsException(path, "cannot read rows of tensor '" + name + "': " + e.getMessage(), e);
    }
    out.position(base + n * width);
  }

  /** The index of the first pair after {@code k} with another id. */
  private static int nextId(long[] byId, int k) {
    int n = byId.length;
    int next = k + 1;
    while (next < n && byId[next] / n == byId[k] / n) {
      next++;
    }
    return next;
  }

  /**
   * Copies cache slot {@code slot} to the places of pair {@code k} and of the pairs after it with the same id;
   * returns the index of the next id's first pair.
   */
  private int copyOut(long[] byId, int k, int slot, FloatBuffer out, int base) {
    int n = byId.length;
    long id = byId[k] / n;
    int next = k;
    for (; next < n && byId[next] / n == id; next++) {
      out.put(base + (int) (byId[next] % n) * width, cache, slot * width, width);
    }
    return next;
  }

  /**
   * Decodes the row of {@link #width} elements at element {@code from} of {@code raw} ({@code rawFloats}: its
   * float view, for F32) into the cache at {@code at}.
   */
  private void decode(ByteBuffer raw, @Nullable FloatBuffer rawFloats, int from, int at) {
    if (rawFloats != null) {
      rawFloats.get(from, cache, at, width);
      return;
    }
    for (int i = 0; i < width; i++) {
      cache[at + i] = SafetensorsFile.floatAt(raw, dtype, from + i);
    }
  }

  /** Closes the file and drops the cache; later reads fail. Idempotent. */
  @Override
  public void close() {
    synchronized (file) {
      closed = true;
      cache = new float[0];
      try {
        file.close();
      } catch (IOException ignored) {
        // a read-only file: nothing is lost
      }
    }
  }
}
