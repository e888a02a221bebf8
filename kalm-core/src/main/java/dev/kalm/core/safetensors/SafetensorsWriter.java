package dev.kalm.core.safetensors;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.kalm.core.io.AtomicFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes float32 tensors as a safetensors file: written to a temporary file beside the target, then
 * moved into place, so a failure never leaves a half-written file. Keys are written sorted.
 */
public final class SafetensorsWriter {
  private SafetensorsWriter() {}

  /** A float32 tensor to write. */
  public record Tensor(long[] shape, float[] data) {
    public Tensor {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      checkArgument(n == data.length, "shape holds %s elements but data has %s", n, data.length);
    }
  }

  /** Writes {@code tensors} (name to tensor) as float32 with {@code metadata} to {@code file}. */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    write(file, tensors, metadata, DType.F32);
  }

  /**
   * Writes {@code tensors} stored as {@code dtype} (F32, BF16 or F16; rounding to nearest even) with
   * {@code metadata} to {@code file}.
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, DType dtype) {
    checkArgument(dtype == DType.F32 || dtype == DType.BF16 || dtype == DType.F16,
        "dtype must be F32, BF16 or F16, got %s", dtype);
    TreeMap<String, Tensor> sorted = new TreeMap<>(tensors);
    JsonObject header = new JsonObject();
    JsonObject meta = new JsonObject();
    metadata.forEach(meta::addProperty);
    header.add("__metadata__", meta);
    long offset = 0;
    for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
      JsonObject entry = new JsonObject();
      entry.addProperty("dtype", dtype.name());
      JsonArray shape = new JsonArray();
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      entry.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offset += (long) dtype.bytes() * e.getValue().data().length;
      offsets.add(offset);
      entry.add("data_offsets", offsets);
      header.add(e.getKey(), entry);
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    AtomicFiles.write(file, out -> {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
      out.write(length.array());
      out.write(json);
      for (int i = json.length; i < padded; i++) {
        out.write(' ');
      }
      ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (Tensor t : sorted.values()) {
        for (float v : t.data()) {
          if (chunk.remaining() < 4) {
            out.write(chunk.array(), 0, chunk.position());
            chunk.clear();
          }
          switch (dtype) {
            case BF16 -> chunk.putShort(toBfloat16(v));
            case F16 -> chunk.putShort(toHalf(v));
            default -> chunk.putFloat(v);
          }
        }
      }
      out.write(chunk.array(), 0, chunk.position());
    });
  }

  /** float32 to bfloat16, rounding to nearest even (NaN stays NaN). */
  static short toBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /** float32 to IEEE binary16, rounding to nearest even, overflow to infinity, subnormals kept. */
  static short toHalf(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
    int mantissa = bits & 0x7fffff;
    if (((bits >>> 23) & 0xff) == 0xff) {
      return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 : 0));
    }
    if (exponent >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (exponent <= 0) {
      if (exponent < -10) {
        return (short) sign;
      }
      mantissa |= 0x800000;
      int shift = 14 - exponent;
      int half = mantissa >> shift;
      int remainder = mantissa & ((1 << shift) - 1);
      int midpoint = 1 << (shift - 1);
      if (remainder > midpoint || (remainder == midpoint && (half & 1) == 1)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (exponent << 10) | (mantissa >> 13);
    int remainder = mantissa & 0x1fff;
    if (remainder > 0x1000 || (remainder == 0x1000 && (half & 1) == 1)) {
      half++;
    }
    return (short) (sign | half);
  }
}
