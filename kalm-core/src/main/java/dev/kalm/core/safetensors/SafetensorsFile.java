package dev.kalm.core.safetensors;

import com.google.common.collect.ImmutableMap;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kalm.core.internal.json.StrictJson;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped safetensors file. Opening validates the whole header (length, strict UTF-8 JSON, dtypes,
 * shapes, offsets inside the data section, sizes matching shapes, no two tensors sharing bytes), so later reads
 * cannot run outside the file.
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
        JsonElement parsed = StrictJson.parse(StrictJson.decodeUtf8(headerBytes.array()));
        if (!parsed.isJsonObject()) {
          throw new SafetensorsException(path, "header is not a JSON object");
        }
        header = parsed.getAsJsonObject();
      } catch (StrictJson.Malformed e) {
        throw new SafetensorsException(path, "header " + e.problem(), e);
      }
      long dataStart = 8 + headerLength;
      long dataSize = size - dataStart;
      ImmutableMap.Builder<String, TensorInfo> tensors = ImmutableMap.builder();
      ImmutableMap.Builder<String, String> metadata = ImmutableMap.builder();
      for (Map.Entry<String, JsonElement> entry : header.entrySet()) {
        if (entry.getKey().equals("__metadata__")) {
          if (!entry.getValue().isJsonObject()) {
            throw new SafetensorsException(path, "header __metadata__ must be an object of strings, got " + entry.getValue());
          }
          for (Map.Entry<String, JsonElement> m : entry.getValue().getAsJsonObject().entrySet()) {
            if (!m.getValue().isJsonPrimitive() || !m.getValue().getAsJsonPrimitive().isString()) {
              throw new SafetensorsException(path, "header __metadata__." + m.getKey() + " must be a string, got "
                  + m.getValue());
            }
            metadata.put(m.getKey(), m.getValue().getAsString());
          }
          continue;
        }
        tensors.put(entry.getKey(), tensorInfo(path, entry.getKey(), entry.getValue(), dataSize));
      }
      ImmutableMap<String, TensorInfo> all = tensors.buildOrThrow();
      checkNoOverlap(path, all.values());
      return new SafetensorsFile(path, channel, dataStart, all, metadata.buildOrThrow());
    } catch (IOException e) {
      throw new SafetensorsException(path, "cannot read: " + e.getMessage(), e);
    }
  }

  private static TensorInfo tensorInfo(Path path, String name, JsonElement value, long dataSize) {
    String at = "tensor '" + name + "'";
    if (!value.isJsonObject()) {
      throw new SafetensorsException(path, at + " must be an object with dtype, shape and data_offsets, got " + value);
    }
    JsonObject o = value.getAsJsonObject();
    JsonElement dtypeJson = o.get("dtype");
    if (dtypeJson == null || !dtypeJson.isJsonPrimitive() || !dtypeJson.getAsJsonPrimitive().isString()) {
      throw new SafetensorsException(path, at + " needs a string dtype, got " + dtypeJson);
    }
    String dtypeName = dtypeJson.getAsString();
    DType dtype;
    try {
      dtype = DType.valueOf(dtypeName);
    } catch (IllegalArgumentException e) {
      throw new SafetensorsException(path, at + " has unsupported dtype " + dtypeName
          + " (supported: F32, BF16, F16, F64, I64, I32)");
    }
    long[] shape = longs(path, at, o, "shape", -1);
    long count = 1;
    for (long d : shape) {
      count = multiply(path, at, count, d);
    }
    long[] offsets = longs(path, at, o, "data_offsets", 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (end < begin || end > dataSize) {
      throw new SafetensorsException(path, at + " has data offsets [" + begin + ", " + end
          + "] outside the data section of " + dataSize + " bytes (truncated file?)");
    }
    long needed = multiply(path, at, count, dtype.bytes());
    if (end - begin != needed) {
      throw new SafetensorsException(path, at + " spans " + (end - begin) + " bytes but its shape "
          + Arrays.toString(shape) + " of " + dtype + " needs " + needed);
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  /** The array {@code field} of non-negative integers ({@code size} of them unless -1). */
  private static long[] longs(Path path, String at, JsonObject o, String field, int size) {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonArray() || (size >= 0 && e.getAsJsonArray().size() != size)) {
      throw new SafetensorsException(path, at + " needs " + field + " as a list of "
          + (size >= 0 ? size + " " : "") + "non-negative integers, got " + e);
    }
    JsonArray array = e.getAsJsonArray();
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement item = array.get(i);
      try {
        out[i] = item.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
      } catch (RuntimeException notAnInteger) {
        out[i] = -1;
      }
      if (out[i] < 0) {
        throw new SafetensorsException(path, at + " has " + field + "[" + i + "] = " + item
            + ", not a non-negative 64-bit integer");
      }
    }
    return out;
  }

  private static long multiply(Path path, String at, long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw new SafetensorsException(path, at + " has a shape whose byte size overflows 64 bits", e);
    }
  }

  /** Fails naming two tensors whose byte ranges overlap (empty tensors overlap nothing). */
  private static void checkNoOverlap(Path path, Collection<TensorInfo> tensors) {
    List<TensorInfo> sorted = tensors.stream().filter(t -> t.end() > t.begin())
        .sorted(Comparator.comparingLong(TensorInfo::begin)).toList();
    for (int i = 1; i < sorted.size(); i++) {
      TensorInfo before = sorted.get(i - 1);
      TensorInfo next = sorted.get(i);
      if (next.begin() < before.end()) {
        throw new SafetensorsException(path, "tensors '" + before.name() + "' [" + before.begin() + ", " + before.end()
            + ") and '" + next.name() + "' [" + next.begin() + ", " + next.end() + ") overlap in the data section");
      }
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
    if (info.dtype() == DType.F32) {
      out.put(raw.asFloatBuffer());
      return;
    }
    for (int i = 0; i < n; i++) {
      out.put(i, floatAt(raw, info.dtype(), i));
    }
  }

  /** Element {@code index} of {@code raw} (little-endian {@code dtype} values, a floating-point type) as float32. */
  static float floatAt(ByteBuffer raw, DType dtype, int index) {
    return switch (dtype) {
      case F32 -> raw.getFloat(4 * index);
      case BF16 -> Float.intBitsToFloat((raw.getShort(2 * index) & 0xffff) << 16);
      case F16 -> halfToFloat(raw.getShort(2 * index));
      case F64 -> (float) raw.getDouble(8 * index);
      default -> throw new AssertionError(dtype);
    };
  }

  /**
   * The rows of a two-dimensional floating-point tensor, read from this file as they are asked for (see
   * {@link TensorRows}, which opens the file again and must be closed): nothing is read now.
   *
   * @throws SafetensorsException naming the file and tensor when it is not a 2-D floating-point tensor, a row is
   *     over 1 GiB, or the file cannot be opened
   */
  public TensorRows rows(String name) {
    return rows(name, 0);
  }

  /** {@link #rows(String)} with a row cache of {@code cacheRows} slots (0: the default size; tests). */
  TensorRows rows(String name, int cacheRows) {
    TensorInfo info = info(name);
    long[] shape = info.shape();
    if (!info.dtype().isFloat() || shape.length != 2) {
      throw new SafetensorsException(path, "tensor '" + name + "' is " + info.dtype() + " " + Arrays.toString(shape)
          + ", not a two-dimensional floating-point tensor");
    }
    long rowBytes = shape[1] * info.dtype().bytes();
    if (rowBytes > 1L << 30) {
      throw new SafetensorsException(path, "tensor '" + name + "' has rows of " + rowBytes + " bytes, over 1 GiB");
    }
    try {
      return new TensorRows(path, name, info.dtype(), shape[0], Math.toIntExact(shape[1]), dataStart + info.begin(),
          cacheRows);
    } catch (IOException e) {
      throw new SafetensorsException(path, "cannot open: " + e.getMessage(), e);
    }
  }

  /**
   * Whether every element of a floating-point tensor is finite (no NaN, no infinity), read through in
   * 1 MiB pieces without mapping it, so the check leaves nothing of the tensor resident in this process.
   *
   * @throws SafetensorsException naming the file and tensor when it is not floating point or cannot be read
   */
  public boolean allFinite(String name) {
    TensorInfo info = info(name);
    DType dtype = info.dtype();
    if (!dtype.isFloat()) {
      throw new SafetensorsException(path, "tensor '" + name + "' is " + dtype + ", not floating point");
    }
    ByteBuffer piece = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    for (long at = info.begin(); at < info.end(); at += piece.capacity()) {
      piece.clear().limit((int) Math.min(piece.capacity(), info.end() - at));
      try {
        readFully(channel, piece, dataStart + at);
      } catch (IOException e) {
        throw new SafetensorsException(path, "cannot read tensor '" + name + "': " + e.getMessage(), e);
      }
      int n = piece.limit() / dtype.bytes();
      for (int i = 0; i < n; i++) {
        if (!Float.isFinite(floatAt(piece, dtype, i))) { // as the model would hold it: F64 beyond float's range too
          return false;
        }
      }
    }
    return true;
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
