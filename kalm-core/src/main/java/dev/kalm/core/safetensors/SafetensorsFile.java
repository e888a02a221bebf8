package dev.kalm.core.safetensors;

import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A memory-mapped safetensors file. Opening validates the whole header (length, JSON, dtypes, shapes,
 * offsets inside the data section, sizes matching shapes), so later reads cannot run outside the file.
 * Floating-point tensors (F32, BF16, F16, F64) are read as float32.
 *
 * <p>Not thread-safe for concurrent reads of the same instance only in the sense that each read maps its
 * own region; reads are independent and may run concurrently. {@link #close()} closes the channel; mapped
 * regions handed out stay valid until garbage-collected.
 */
public final class SafetensorsFile implements AutoCloseable {
  private static final long MAX_HEADER = 100L << 20;

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final ImmutableMap<String, TensorInfo> tensors;
  private final ImmutableMap<String, String> metadata;

  private SafetensorsFile(Path path, FileChannel channel, long dataStart, ImmutableMap<String, TensorInfo> tensors,
      ImmutableMap<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Opens and validates a file.
   *
   * @throws SafetensorsException naming the file and the problem (missing, truncated, bad header, bad offsets,
   *     unsupported dtype)
   */
  public static SafetensorsFile open(Path path) {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new SafetensorsException(path, "file not found", e);
    } catch (IOException e) {
      throw new SafetensorsException(path, "cannot open: " + e.getMessage(), e);
    }
    try {
      return parse(path, channel);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static SafetensorsFile parse(Path path, FileChannel channel) {
    try {
      long size = channel.size();
      if (size < 8) {
        throw new SafetensorsException(path, "file has " + size + " bytes, too short for the 8-byte header length");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long headerLength = lengthBytes.getLong(0);
      if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
        throw new SafetensorsException(path, "header length " + headerLength + " is beyond the file size " + size
            + " (truncated or not a safetensors file)");
      }
      ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
      readFully(channel, headerBytes, 8);
      JsonObject header;
      try {
        JsonElement parsed = JsonParser.parseString(new String(headerBytes.array(), StandardCharsets.UTF_8));
        if (!parsed.isJsonObject()) {
          throw new SafetensorsException(path, "header is not a JSON object");
        }
        header = parsed.getAsJsonObject();
      } catch (com.google.gson.JsonParseException e) {
        throw new SafetensorsException(path, "header is not valid JSON: " + e.getMessage(), e);
      }
      long dataStart = 8 + headerLength;
      long dataSize = size - dataStart;
      ImmutableMap.Builder<String, TensorInfo> tensors = ImmutableMap.builder();
      ImmutableMap.Builder<String, String> metadata = ImmutableMap.builder();
      for (Map.Entry<String, JsonElement> entry : header.entrySet()) {
        if (entry.getKey().equals("__metadata__")) {
          if (entry.getValue().isJsonObject()) {
            entry.getValue().getAsJsonObject().entrySet().forEach(m -> metadata.put(m.getKey(),
                m.getValue().isJsonPrimitive() ? m.getValue().getAsString() : m.getValue().toString()));
          }
          continue;
        }
        tensors.put(entry.getKey(), tensorInfo(path, entry.getKey(), entry.getValue(), dataSize));
      }
      return new SafetensorsFile(path, channel, dataStart, tensors.buildOrThrow(), metadata.buildOrThrow());
    } catch (IOException e) {
      throw new SafetensorsException(path, "cannot read: " + e.getMessage(), e);
    }
  }

  private static TensorInfo tensorInfo(Path path, String name, JsonElement value, long dataSize) {
    try {
      JsonObject o = value.getAsJsonObject();
      String dtypeName = o.get("dtype").getAsString();
      DType dtype;
      try {
        dtype = DType.valueOf(dtypeName);
      } catch (IllegalArgumentException e) {
        throw new SafetensorsException(path, "tensor '" + name + "' has unsupported dtype " + dtypeName
            + " (supported: F32, BF16, F16, F64, I64, I32)");
      }
      JsonArray shapeJson = o.getAsJsonArray("shape");
      long[] shape = new long[shapeJson.size()];
      long count = 1;
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shapeJson.get(i).getAsLong();
        if (shape[i] < 0) {
          throw new SafetensorsException(path, "tensor '" + name + "' has a negative dimension");
        }
        count = Math.multiplyExact(count, shape[i]);
      }
      JsonArray offsets = o.getAsJsonArray("data_offsets");
      long begin = offsets.get(0).getAsLong();
      long end = offsets.get(1).getAsLong();
      if (begin < 0 || end < begin || end > dataSize) {
        throw new SafetensorsException(path, "tensor '" + name + "' has data offsets [" + begin + ", " + end
            + "] outside the data section of " + dataSize + " bytes (truncated file?)");
      }
      if (end - begin != Math.multiplyExact(count, dtype.bytes())) {
        throw new SafetensorsException(path, "tensor '" + name + "' spans " + (end - begin) + " bytes but its shape "
            + shapeJson + " of " + dtype + " needs " + count * dtype.bytes());
      }
      return new TensorInfo(name, dtype, shape, begin, end);
    } catch (SafetensorsException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SafetensorsException(path, "tensor '" + name + "' has a malformed header entry: " + value, e);
    }
  }

  /** The file. */
  public Path path() {
    return path;
  }

  /** Tensor entries by name, in header order. */
  public ImmutableMap<String, TensorInfo> tensors() {
    return tensors;
  }

  /** The {@code __metadata__} entries. */
  public ImmutableMap<String, String> metadata() {
    return metadata;
  }

  /** The entry for {@code name}. @throws SafetensorsException when absent */
  public TensorInfo info(String name) {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new SafetensorsException(path, "no tensor named '" + name + "'");
    }
    return info;
  }

  /**
   * A floating-point tensor as native-order float32 bytes in a new direct buffer (F32 data is copied from the
   * mapping, BF16/F16/F64 converted). @throws SafetensorsException for integer tensors
   */
  public ByteBuffer floatBytes(String name) {
    int n = Math.toIntExact(info(name).elementCount());
    ByteBuffer bytes = ByteBuffer.allocateDirect(Math.multiplyExact(n, 4)).order(ByteOrder.nativeOrder());
    readFloats(name, bytes);
    return bytes.clear();
  }

  /**
   * Writes a floating-point tensor as float32 (native order) into {@code target} from its position on, which must
   * leave room for it; the position ends after it.
   *
   * @throws SafetensorsException naming the file and tensor when it is not floating point or cannot be read
   * @throws IllegalArgumentException when {@code target} has too little room
   */
  public void readFloats(String name, ByteBuffer target) {
    TensorInfo info = info(name);
    if (!info.dtype().isFloat()) {
      throw new SafetensorsException(path, "tensor '" + name + "' is " + info.dtype() + ", not floating point");
    }
    int n = Math.toIntExact(info.elementCount());
    if (target.remaining() < Math.multiplyExact(n, 4)) {
      throw new IllegalArgumentException("target has room for " + target.remaining() + " bytes, tensor '" + name
          + "' needs " + 4L * n);
    }
    ByteBuffer bytes = target.slice(target.position(), n * 4).order(ByteOrder.nativeOrder());
    target.position(target.position() + n * 4);
    if (info.dtype() == DType.F32 && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      // Read, not mapped: a mapping stays resident until the garbage collector unmaps it, so the weights
      // would be held twice (page cache mapping + native copy).
      try {
        readFully(channel, bytes, dataStart + info.begin());
      } catch (IOException e) {
        throw new SafetensorsException(path, "cannot read tensor '" + name + "': " + e.getMessage(), e);
      }
      return;
    }
    ByteBuffer raw = map(info);
    FloatBuffer out = bytes.asFloatBuffer();
    switch (info.dtype()) {
      case F32 -> out.put(raw.asFloatBuffer());
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out.put(i, Float.intBitsToFloat((raw.getShort(2 * i) & 0xffff) << 16));
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out.put(i, halfToFloat(raw.getShort(2 * i)));
        }
      }
      case F64 -> {
        for (int i = 0; i < n; i++) {
          out.put(i, (float) raw.getDouble(8 * i));
        }
      }
      default -> throw new AssertionError(info.dtype());
    }
  }

  /** A floating-point tensor as a float array. */
  public float[] floatArray(String name) {
    FloatBuffer buffer = floatBytes(name).asFloatBuffer();
    float[] out = new float[buffer.remaining()];
    buffer.get(out);
    return out;
  }

  /** An integer tensor (I64 or I32) as longs. @throws SafetensorsException for other dtypes */
  public long[] longs(String name) {
    TensorInfo info = info(name);
    ByteBuffer raw = map(info);
    int n = Math.toIntExact(info.elementCount());
    long[] out = new long[n];
    switch (info.dtype()) {
      case I64 -> raw.asLongBuffer().get(out);
      case I32 -> {
        for (int i = 0; i < n; i++) {
          out[i] = raw.getInt(4 * i);
        }
      }
      default -> throw new SafetensorsException(path, "tensor '" + name + "' is " + info.dtype() + ", not integer");
    }
    return out;
  }

  /** IEEE 754 binary16 to float32, exact (subnormals, infinities and NaN included). */
  static float halfToFloat(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float value = mantissa * 0x1p-24f;
      return sign == 0 ? value : -value;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  private ByteBuffer map(TensorInfo info) {
    try {
      MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), info.end() - info.begin());
      return mapped.order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new SafetensorsException(path, "cannot map tensor '" + info.name() + "': " + e.getMessage(), e);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, position + buffer.position());
      if (read < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing to add to the error being thrown
    }
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }
}
