package dev.kalm.data.search;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.gson.JsonObject;
import dev.kalm.core.embed.EmbedderConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * What an {@link EmbeddingIndex} was computed from: the model, the corpus and the embedding settings, each
 * as a short string. An index whose fingerprint differs from the current one is stale. Immutable.
 *
 * @param model {@link #ofModel} of the model folder
 * @param corpus {@link #ofFile} of the corpus file
 * @param settings {@link #ofSettings} of the embedder's resolved config
 */
public record IndexFingerprint(String model, String corpus, String settings) {
  /** Bytes hashed at each end of a model file larger than twice this; smaller files are hashed whole. */
  static final int SAMPLE_BYTES = 1 << 20;

  /** Validates. @throws NullPointerException for a null part */
  public IndexFingerprint {
    checkNotNull(model, "model");
    checkNotNull(corpus, "corpus");
    checkNotNull(settings, "settings");
  }

  /** The fingerprint of a model folder, a corpus file and an embedder's resolved config. */
  public static IndexFingerprint of(Path modelFolder, Path corpusFile, EmbedderConfig resolved) {
    return new IndexFingerprint(ofModel(modelFolder), ofFile(corpusFile), ofSettings(resolved));
  }

  /**
   * A SHA-256 (hex, 32 characters) over the model folder's files (depth 2, hidden files and {@code *.md}
   * left out, in path order): each file's relative path and size, and its content when at most 2 MiB,
   * else its first and last MiB. Reads about 2 MiB per weight file, so it stays fast for large models;
   * a change in the middle of a weight file that keeps its size and ends goes unnoticed.
   *
   * @throws UncheckedIOException when the folder cannot be read
   */
  public static String ofModel(Path folder) {
    Hasher hasher = Hashing.sha256().newHasher();
    try (Stream<Path> files = Files.walk(folder, 2)) {
      List<Path> sorted = files.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith(".") && !p.getFileName().toString().endsWith(".md"))
          .sorted()
          .toList();
      for (Path file : sorted) {
        hasher.putString(folder.relativize(file).toString(), StandardCharsets.UTF_8).putByte((byte) 0);
        sample(file, hasher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model folder " + folder + ": " + e.getMessage(), e);
    }
    return hasher.hash().toString().substring(0, 32);
  }

  /**
   * {@code size:sha256} of a file's whole content (the SHA-256 in hex, 32 characters). Content-based:
   * touching or copying the file keeps it.
   *
   * @throws UncheckedIOException when the file cannot be read
   */
  public static String ofFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      Hasher hasher = Hashing.sha256().newHasher();
      byte[] buffer = new byte[1 << 16];
      long size = 0;
      int n;
      while ((n = in.read(buffer)) > 0) {
        hasher.putBytes(buffer, 0, n);
        size += n;
      }
      return size + ":" + hasher.hash().toString().substring(0, 32);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The settings that change document vectors, as JSON: pooling, attention, normalisation, max length,
   * dimension (documents are always embedded without a prompt). Batch size and device are left out:
   * they do not change the vectors beyond rounding.
   */
  public static String ofSettings(EmbedderConfig resolved) {
    JsonObject json = new JsonObject();
    json.addProperty("pooling", String.valueOf(resolved.pooling()));
    json.addProperty("attention", String.valueOf(resolved.attention()));
    json.addProperty("normalize", resolved.normalize());
    json.addProperty("maxLength", resolved.maxLength());
    json.addProperty("dimension", resolved.dimension());
    json.addProperty("documentPrompt", "");
    return json.toString();
  }

  /** The parts ({@code model}, {@code corpus}, {@code settings}) that differ from {@code other}, in that order. */
  public ImmutableList<String> differences(IndexFingerprint other) {
    ImmutableList.Builder<String> parts = ImmutableList.builder();
    if (!model.equals(other.model)) {
      parts.add("model");
    }
    if (!corpus.equals(other.corpus)) {
      parts.add("corpus");
    }
    if (!settings.equals(other.settings)) {
      parts.add("settings");
    }
    return parts.build();
  }

  private static void sample(Path file, Hasher hasher) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      hasher.putLong(size);
      if (size <= 2L * SAMPLE_BYTES) {
        hash(channel, 0, size, hasher);
      } else {
        hash(channel, 0, SAMPLE_BYTES, hasher);
        hash(channel, size - SAMPLE_BYTES, SAMPLE_BYTES, hasher);
      }
    }
  }

  private static void hash(FileChannel channel, long from, long length, Hasher hasher) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
    long position = from;
    long end = from + length;
    while (position < end) {
      buffer.clear();
      buffer.limit((int) Math.min(buffer.capacity(), end - position));
      int n = channel.read(buffer, position);
      if (n < 0) {
        break;
      }
      buffer.flip();
      hasher.putBytes(buffer);
      position += n;
    }
  }
}
