package dev.kalm.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorRowsTest {
  @TempDir Path tmp;

  /**
   * Rows read on demand equal the rows of the whole tensor read at once, for every stored dtype, any ids (repeats,
   * runs of consecutive rows and the last row included) and any cache size (rows sharing a slot included).
   */
  @Property(tries = 80)
  void rowsEqualTheWholeTensorsRows(@ForAll @IntRange(min = 1, max = 40) int rowCount,
      @ForAll @IntRange(min = 1, max = 9) int width, @ForAll @IntRange(min = 0, max = 45) int cacheRows,
      @ForAll @IntRange(min = 0, max = 2) int dtypeIndex, @ForAll long seed) throws IOException {
    DType dtype = new DType[] {DType.F32, DType.BF16, DType.F16}[dtypeIndex];
    Random random = new Random(seed);
    float[] data = new float[rowCount * width];
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextGaussian();
    }
    Path file = Files.createTempFile("kalm-rows", ".safetensors"); // jqwik properties get no @TempDir
    try {
      SafetensorsWriter.write(file, Map.of("other", new SafetensorsWriter.Tensor(new long[] {3}, new float[] {1, 2, 3}),
          "table", new SafetensorsWriter.Tensor(new long[] {rowCount, width}, data)), Map.of(), dtype);
      try (SafetensorsFile f = SafetensorsFile.open(file); TensorRows rows = f.rows("table", cacheRows)) {
        float[] whole = f.floatArray("table");
        for (int call = 0; call < 3; call++) { // later calls find rows in the cache, or their slots taken by others
          long[] ids = random.longs(random.nextInt(30), 0, rowCount).toArray();
          assertEquals(rowCount, rows.rowCount());
          assertEquals(width, rows.width());
          FloatBuffer out = FloatBuffer.allocate(ids.length * width + 2);
          out.put(0.5f);
          rows.read(ids, out);
          assertEquals(1 + ids.length * width, out.position());
          assertEquals(0.5f, out.get(0));
          for (int i = 0; i < ids.length; i++) {
            int id = (int) ids[i];
            float[] got = new float[width];
            out.get(1 + i * width, got);
            assertArrayEquals(Arrays.copyOfRange(whole, id * width, (id + 1) * width), got, "row " + id);
          }
        }
        assertTrue(f.allFinite("table"));
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void aRunLongerThanOneReadIsReadInPieces() {
    int rowCount = 600;
    int width = 1000; // 4,000 bytes a row: a run of 600 rows takes three reads of at most 1 MiB
    float[] data = new float[rowCount * width];
    for (int i = 0; i < data.length; i++) {
      data[i] = i;
    }
    Path file = tmp.resolve("long.safetensors");
    SafetensorsWriter.write(file, Map.of("table", new SafetensorsWriter.Tensor(new long[] {rowCount, width}, data)),
        Map.of());
    long[] ids = new long[rowCount + 1];
    Arrays.setAll(ids, i -> (rowCount - i) % rowCount); // 0, 599, 598, ..., 1, 0
    try (SafetensorsFile f = SafetensorsFile.open(file); TensorRows rows = f.rows("table")) {
      FloatBuffer out = FloatBuffer.allocate(ids.length * width);
      rows.read(ids, out);
      for (int i = 0; i < ids.length; i++) {
        assertEquals(ids[i] * width, out.get(i * width), "first element of row " + ids[i]);
        assertEquals(ids[i] * width + width - 1, out.get(i * width + width - 1), "last element of row " + ids[i]);
      }
    }
  }

  @Test
  void anIdOutsideTheTableFailsNamingItAndWritesNothing() {
    Path file = tmp.resolve("t.safetensors");
    SafetensorsWriter.write(file, Map.of("table", new SafetensorsWriter.Tensor(new long[] {2, 2}, new float[] {1, 2, 3, 4})),
        Map.of());
    try (SafetensorsFile f = SafetensorsFile.open(file); TensorRows rows = f.rows("table")) {
      FloatBuffer out = FloatBuffer.allocate(4);
      IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> rows.read(new long[] {1, 2}, out));
      assertTrue(e.getMessage().contains("row 2 is outside tensor 'table' of 2 rows"), e.getMessage());
      assertEquals(0, out.position());
      assertArrayEquals(new float[4], out.array());
      assertThrows(IllegalArgumentException.class, () -> rows.read(new long[] {0, 1, 1}, out));
    }
  }

  @Test
  void rowsNeedATwoDimensionalFloatingPointTensor() {
    Path file = tmp.resolve("t.safetensors");
    SafetensorsWriter.write(file, Map.of("v", new SafetensorsWriter.Tensor(new long[] {4}, new float[] {1, 2, 3, 4})),
        Map.of());
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      SafetensorsException e = assertThrows(SafetensorsException.class, () -> f.rows("v"));
      assertTrue(e.getMessage().contains("not a two-dimensional floating-point tensor"), e.getMessage());
    }
  }

  @Test
  void rowsStayReadableAfterTheFileIsClosedReplacedAndTheThreadInterrupted() {
    Path file = tmp.resolve("t.safetensors");
    SafetensorsWriter.write(file, Map.of("table", new SafetensorsWriter.Tensor(new long[] {2, 2}, new float[] {1, 2, 3, 4})),
        Map.of());
    TensorRows rows;
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      rows = f.rows("table");
    }
    try (rows) {
      SafetensorsWriter.write(file, Map.of("table", new SafetensorsWriter.Tensor(new long[] {1, 1}, new float[] {9})),
          Map.of()); // written to a temporary file and moved over this one: the open file is intact
      FloatBuffer out = FloatBuffer.allocate(4);
      Thread.currentThread().interrupt(); // a FileChannel would be closed by a read now
      try {
        rows.read(new long[] {1}, out);
      } finally {
        assertTrue(Thread.interrupted());
      }
      rows.read(new long[] {0}, out);
      assertArrayEquals(new float[] {3, 4, 1, 2}, out.array());
    }
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> rows.read(new long[] {0}, FloatBuffer.allocate(2)));
    assertTrue(e.getMessage().contains("cannot read rows of tensor 'table': closed"), e.getMessage());
  }

  /** Every element that is NaN or infinite, at any place in any of the 1 MiB pieces, is found, in every dtype. */
  @Property(tries = 30)
  void allFiniteFindsANonFiniteElementAnywhere(@ForAll @IntRange(min = 0, max = 299_999) int at,
      @ForAll @IntRange(min = 0, max = 2) int dtypeIndex, @ForAll @IntRange(min = 0, max = 2) int kind) throws IOException {
    DType dtype = new DType[] {DType.F32, DType.BF16, DType.F16}[dtypeIndex];
    float[] data = new float[300_000]; // over 1 MiB in F32: the check reads more than one piece
    Arrays.fill(data, 0.5f);
    data[at] = new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}[kind];
    Path file = Files.createTempFile("kalm-finite", ".safetensors");
    try {
      SafetensorsWriter.write(file, Map.of("table", new SafetensorsWriter.Tensor(new long[] {1000, 300}, data)), Map.of(),
          dtype);
      try (SafetensorsFile f = SafetensorsFile.open(file)) {
        assertFalse(f.allFinite("table"), dtype + " element " + at);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
