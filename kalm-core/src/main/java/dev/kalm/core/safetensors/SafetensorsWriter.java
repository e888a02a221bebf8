package dev.kalm.core.safetensors;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

  /** Writes {@code tensors} (name to tensor) with {@code metadata} to {@code file}. */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    TreeMap<String, Tensor> sorted = new TreeMap<>(tensors);
    JsonObject header = new JsonObject();
    JsonObject meta = new JsonObject();
    metadata.forEach(meta::addProperty);
    header.add("__metadata__", meta);
    long offset = 0;
    for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
      JsonObject entry = new JsonObject();
      entry.addProperty("dtype", "F32");
      JsonArray shape = new JsonArray();
      for (long d : e.getValue().shape()) {
        shape.add(d);
      }
      entry.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offset += 4L * e.getValue().data().length;
      offsets.add(offset);
      entry.add("data_offsets", offsets);
      header.add(e.getKey(), entry);
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
        out.write(length.array());
        out.write(json);
        for (int i = json.length; i < padded; i++) {
          out.write(' ');
        }
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : sorted.values()) {
          for (float v : t.data()) {
            if (!chunk.hasRemaining()) {
              out.write(chunk.array(), 0, chunk.position());
              chunk.clear();
            }
            chunk.putFloat(v);
          }
        }
        out.write(chunk.array(), 0, chunk.position());
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // reporting the original failure
      }
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
