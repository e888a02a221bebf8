package dev.kalm.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
  @TempDir Path tmp;

  private static Map<String, SafetensorsWriter.Tensor> sample() {
    Map<String, SafetensorsWriter.Tensor> t = new LinkedHashMap<>();
    t.put("a", new SafetensorsWriter.Tensor(new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-3f, -7}));
    t.put("b", new SafetensorsWriter.Tensor(new long[] {4}, new float[] {0.25f, 8, -0.125f, 3}));
    return t;
  }

  @Test
  void writesAndReadsFloat32Exactly() {
    Path file = tmp.resolve("x.safetensors");
    SafetensorsWriter.write(file, sample(), ImmutableMap.of("format", "pt"));
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      assertArrayEquals(new long[] {2, 3}, f.info("a").shape());
      assertArrayEquals(sample().get("a").data(), f.floatArray("a"));
      assertArrayEquals(sample().get("b").data(), f.floatArray("b"));
      assertEquals("pt", f.metadata().get("format"));
    }
  }

  @Test
  void bf16AndF16AreConvertedToFloat32WithinTheirRounding() {
    for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
      Path file = tmp.resolve(dtype + ".safetensors");
      SafetensorsWriter.write(file, sample(), Map.of(), dtype);
      try (SafetensorsFile f = SafetensorsFile.open(file)) {
        assertEquals(dtype, f.info("a").dtype());
        float[] want = sample().get("a").data();
        float[] got = f.floatArray("a");
        double relative = dtype == DType.BF16 ? 1.0 / 256 : 1.0 / 2048;
        for (int i = 0; i < want.length; i++) {
          assertEquals(want[i], got[i], Math.abs(want[i]) * relative + 1e-7, dtype + " element " + i);
        }
      }
    }
  }

  @Property(tries = 300)
  void halfPrecisionRoundTripIsExactForRepresentableValues(@ForAll short bits) {
    float value = SafetensorsFile.halfToFloat(bits);
    if (!Float.isNaN(value)) {
      assertEquals(bits, SafetensorsWriter.toHalf(value));
    }
  }

  @Property(tries = 300)
  void halfRoundingIsNearest(@ForAll @FloatRange(min = -60000, max = 60000) float value) {
    float rounded = SafetensorsFile.halfToFloat(SafetensorsWriter.toHalf(value));
    assertTrue(Math.abs(rounded - value) <= Math.max(Math.abs(value) / 2048, 6e-8f), value + " -> " + rounded);
  }

  @Property(tries = 200)
  void everyTruncationIsRejectedWithAnException(@ForAll @IntRange(min = 0, max = 10_000) int cut) throws IOException {
    Path dir = Files.createTempDirectory("kalm-cut");
    Path valid = dir.resolve("valid.safetensors");
    SafetensorsWriter.write(valid, sample(), ImmutableMap.of("format", "pt"));
    byte[] bytes = Files.readAllBytes(valid);
    int length = cut % bytes.length;
    Path truncated = dir.resolve("cut.safetensors");
    Files.write(truncated, Arrays.copyOf(bytes, length));
    assertThrows(SafetensorsException.class, () -> {
      try (SafetensorsFile f = SafetensorsFile.open(truncated)) {
        for (String name : f.tensors().keySet()) {
          f.floatArray(name);
        }
      }
    }, "truncated to " + length + " of " + bytes.length + " bytes");
    com.google.common.io.MoreFiles.deleteRecursively(dir, com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE);
  }

  @Test
  void headerLengthBeyondTheFileIsNamed() throws IOException {
    Path file = tmp.resolve("bad.safetensors");
    Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000).array());
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("header length"), e.getMessage());
  }

  @Test
  void offsetsOutsideTheDataAreNamed() throws IOException {
    Path file = raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("outside the data"), e.getMessage());
  }

  @Test
  void unsupportedDtypeIsNamed() throws IOException {
    Path file = raw("{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().contains("unsupported dtype U8"), e.getMessage());
  }

  @Test
  void sizeNotMatchingShapeIsNamed() throws IOException {
    Path file = raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16);
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file));
    assertTrue(e.getMessage().contains("needs 12"), e.getMessage());
  }

  @Test
  void missingFileIsNamed() {
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(tmp.resolve("none")));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }

  private Path raw(String header, int dataBytes) throws IOException {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(json.length).put(json);
    Path file = Files.createTempFile(tmp, "raw", ".safetensors");
    Files.write(file, b.array());
    return file;
  }
}
