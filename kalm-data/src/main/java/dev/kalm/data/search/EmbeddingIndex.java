package dev.kalm.data.search;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.internal.json.StrictJson;
import dev.kalm.core.io.AtomicFiles;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.progress.ProgressListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The embeddings of a corpus's documents, saved to a file so that a corpus is embedded once and searched
 * many times. It records the {@link IndexFingerprint} it was computed from; an index whose fingerprint
 * differs from the current one is stale and {@link #openOrBuild} rebuilds it.
 *
 * <p>File format (version 1): the 8 bytes {@code KALMIDX\n}, a big-endian int32 version, a big-endian
 * int32 byte length and that many bytes of UTF-8 JSON metadata ({@code version}, {@code model},
 * {@code corpus}, {@code settings}, {@code count}, {@code dimension}, {@code ids}, {@code created}), then
 * {@code count x dimension} little-endian float32 values, one document after the other. Files are written
 * to a temporary file in the same folder and moved into place, so a reader never sees half a file.
 *
 * <p>Immutable and thread-safe; searching builds an exact {@link VectorIndex} on first use.
 *
 * <pre>{@code
 * List<CorpusDocument> docs = CorpusDocument.readJsonl(corpus);
 * IndexFingerprint now = IndexFingerprint.of(modelFolder, corpus, embedder.config());
 * EmbeddingIndex.Opened opened = EmbeddingIndex.openOrBuild(indexFile, docs, now, embedder, progress);
 * SearchResults top = opened.index().search(embedder.embed(queries, queryPrompt), 10);
 * }</pre>
 */
public final class EmbeddingIndex {
  /** The name suffix of index files put next to their corpus: {@code corpus.jsonl.kalm-index}. */
  public static final String SUFFIX = ".kalm-index";
  /** The format version written and read. */
  public static final int VERSION = 1;

  private static final byte[] MAGIC = "KALMIDX\n".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_HEADER_BYTES = 1 << 30;

  private final IndexFingerprint fingerprint;
  private final ImmutableList<String> ids;
  private final float[][] vectors;
  private final int dimension;
  private @Nullable VectorIndex search;

  private EmbeddingIndex(IndexFingerprint fingerprint, ImmutableList<String> ids, float[][] vectors, int dimension) {
    this.fingerprint = fingerprint;
    this.ids = ids;
    this.vectors = vectors;
    this.dimension = dimension;
  }

  /** What {@link #openOrBuild} did: the index, whether it was (re)built, and why ("" when reused). */
  public record Opened(EmbeddingIndex index, boolean built, String reason) {}

  /**
   * Embeds every document's {@link CorpusDocument#embeddingText()} without a prompt.
   *
   * @param progress receives the number of documents embedded
   * @throws IllegalArgumentException when {@code documents} is empty
   */
  public static EmbeddingIndex build(Embedder embedder, List<CorpusDocument> documents, IndexFingerprint fingerprint,
      ProgressListener progress) {
    checkNotNull(embedder, "embedder");
    checkNotNull(fingerprint, "fingerprint");
    checkArgument(!documents.isEmpty(), "documents must not be empty");
    List<String> texts = documents.stream().map(CorpusDocument::embeddingText).toList();
    float[][] vectors = embedder.embed(texts, Prompt.none(), progress);
    ImmutableList<String> ids = documents.stream().map(CorpusDocument::id).collect(ImmutableList.toImmutableList());
    return new EmbeddingIndex(fingerprint, ids, vectors, vectors[0].length);
  }

  /**
   * Uses the index in {@code file} when it exists, reads, has {@code current}'s fingerprint and the
   * documents' ids in order; otherwise builds it from {@code documents} and saves it to {@code file}
   * (replacing the old one). The reason of a rebuild names what changed, e.g. {@code "corpus changed"},
   * {@code "no index"}, {@code "unreadable index (...)"}.
   *
   * @throws UncheckedIOException when the new index cannot be saved
   */
  public static Opened openOrBuild(Path file, List<CorpusDocument> documents, IndexFingerprint current,
      Embedder embedder, ProgressListener progress) {
    String reason;
    if (!Files.exists(file)) {
      reason = "no index";
    } else {
      try {
        EmbeddingIndex old = load(file);
        List<String> changed = old.fingerprint.differences(current);
        if (!changed.isEmpty()) {
          reason = String.join(", ", changed) + " changed";
        } else if (!old.ids.equals(documents.stream().map(CorpusDocument::id).toList())) {
          reason = "document ids differ";
        } else {
          return new Opened(old, false, "");
        }
      } catch (UncheckedIOException e) {
        reason = "unreadable index (" + e.getMessage() + ")";
      }
    }
    EmbeddingIndex built = build(embedder, documents, current, progress);
    built.save(file);
    return new Opened(built, true, reason);
  }

  /**
   * Reads an index file.
   *
   * @throws UncheckedIOException when it is missing, unreadable, not an index, of another version,
   *     truncated or inconsistent, naming the file
   */
  public static EmbeddingIndex load(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Header header = readHeader(channel, file);
      long expected = header.vectorsStart + (long) header.count * header.dimension * Float.BYTES;
      if (channel.size() != expected) {
        throw corrupt(file, "size " + channel.size() + " bytes, expected " + expected + " for " + header.count
            + " vectors of dimension " + header.dimension);
      }
      float[][] vectors = new float[header.count][header.dimension];
      ByteBuffer buffer = ByteBuffer.allocate(Math.max(Float.BYTES * header.dimension, 1 << 16)).order(ByteOrder.LITTLE_ENDIAN);
      long position = header.vectorsStart;
      int rowsPerRead = Math.max(1, buffer.capacity() / (Float.BYTES * Math.max(1, header.dimension)));
      for (int row = 0; row < header.count; row += rowsPerRead) {
        int rows = Math.min(rowsPerRead, header.count - row);
        buffer.clear();
        buffer.limit(rows * header.dimension * Float.BYTES);
        readFully(channel, buffer, position, file);
        position += buffer.limit();
        buffer.flip();
        FloatBuffer floats = buffer.asFloatBuffer();
        for (int r = 0; r < rows; r++) {
          floats.get(vectors[row + r]);
        }
      }
      return new EmbeddingIndex(header.fingerprint, header.ids, vectors, header.dimension);
    } catch (NoSuchFileException e) {
      throw new UncheckedIOException("no such index file: " + file, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read index " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The fingerprint recorded in an index file, reading only its header; empty when the file does not
   * exist.
   *
   * @throws UncheckedIOException when the file exists but is not a readable index
   */
  public static Optional<IndexFingerprint> readFingerprint(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return Optional.of(readHeader(channel, file).fingerprint);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read index " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes this index to {@code file} atomically (temporary file in the same folder, then a move that
   * replaces an existing file). Creates missing parent folders.
   *
   * @throws UncheckedIOException when writing fails, naming the file; no partial file is left
   */
  public void save(Path file) {
    JsonObject meta = new JsonObject();
    meta.addProperty("version", VERSION);
    meta.addProperty("model", fingerprint.model());
    meta.addProperty("corpus", fingerprint.corpus());
    meta.addProperty("settings", fingerprint.settings());
    meta.addProperty("count", ids.size());
    meta.addProperty("dimension", dimension);
    JsonArray idArray = new JsonArray(ids.size());
    ids.forEach(idArray::add);
    meta.add("ids", idArray);
    meta.addProperty("created", Instant.now().toString());
    byte[] json = meta.toString().getBytes(StandardCharsets.UTF_8);
    try (AtomicFiles.Pending pending = AtomicFiles.create(file)) {
      FileChannel channel = pending.channel();
      ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 8 + json.length).order(ByteOrder.BIG_ENDIAN);
      head.put(MAGIC).putInt(VERSION).putInt(json.length).put(json).flip();
      writeFully(channel, head);
      ByteBuffer buffer = ByteBuffer.allocate(Math.max(Float.BYTES * dimension, 1 << 16)).order(ByteOrder.LITTLE_ENDIAN);
      for (float[] vector : vectors) {
        if (buffer.remaining() < Float.BYTES * dimension) {
          buffer.flip();
          writeFully(channel, buffer);
          buffer.clear();
        }
        buffer.asFloatBuffer().put(vector);
        buffer.position(buffer.position() + Float.BYTES * dimension);
      }
      buffer.flip();
      writeFully(channel, buffer);
      channel.force(true);
      pending.commit();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write index " + file + ": " + e.getMessage(), e);
    }
  }

  /** The fingerprint this index was computed from. */
  public IndexFingerprint fingerprint() {
    return fingerprint;
  }

  /** True when {@code current} differs from this index's fingerprint in any part. */
  public boolean isStale(IndexFingerprint current) {
    return !fingerprint.differences(current).isEmpty();
  }

  /** The documents' ids, in corpus order; row {@code i} of the index is document {@code ids().get(i)}. */
  public ImmutableList<String> ids() {
    return ids;
  }

  /** Number of documents. */
  public int size() {
    return ids.size();
  }

  /** Number of components of every vector. */
  public int dimension() {
    return dimension;
  }

  /** A copy of document {@code row}'s vector. */
  public float[] vector(int row) {
    checkElementIndex(row, vectors.length, "row");
    return vectors[row].clone();
  }

  /**
   * The {@code min(k, size())} documents with the largest inner product for each query vector (cosine
   * for normalised vectors), as in {@link VectorIndex#search}; result ids are row numbers ({@link #ids()}).
   *
   * @throws IllegalArgumentException when {@code k < 1} or a query's length is not {@link #dimension()}
   */
  public SearchResults search(float[][] queries, int k) {
    return vectorIndex().search(queries, k);
  }

  private synchronized VectorIndex vectorIndex() {
    if (search == null) {
      search = VectorIndexes.exact(vectors);
    }
    return search;
  }

  @Override
  public String toString() {
    return "EmbeddingIndex{documents=" + ids.size() + ", dimension=" + dimension + ", " + fingerprint + "}";
  }

  // ---- file format ----

  private record Header(IndexFingerprint fingerprint, ImmutableList<String> ids, int count, int dimension, long vectorsStart) {}

  private static Header readHeader(FileChannel channel, Path file) throws IOException {
    ByteBuffer start = ByteBuffer.allocate(MAGIC.length + 8).order(ByteOrder.BIG_ENDIAN);
    if (channel.size() < start.capacity()) {
      throw corrupt(file, "too short to be an index (" + channel.size() + " bytes)");
    }
    readFully(channel, start, 0, file);
    start.flip();
    byte[] magic = new byte[MAGIC.length];
    start.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw corrupt(file, "not a kalm index (bad magic)");
    }
    int version = start.getInt();
    if (version != VERSION) {
      throw corrupt(file, "index format version " + version + ", this reader knows " + VERSION);
    }
    int length = start.getInt();
    if (length < 2 || length > MAX_HEADER_BYTES || MAGIC.length + 8L + length > channel.size()) {
      throw corrupt(file, "bad metadata length " + length);
    }
    ByteBuffer json = ByteBuffer.allocate(length);
    readFully(channel, json, start.capacity(), file);
    JsonObject meta;
    try {
      JsonElement parsed = StrictJson.parse(StrictJson.decodeUtf8(json.array()));
      if (!parsed.isJsonObject()) {
        throw corrupt(file, "metadata is not a JSON object");
      }
      meta = parsed.getAsJsonObject();
      IndexFingerprint fingerprint = new IndexFingerprint(
          meta.get("model").getAsString(), meta.get("corpus").getAsString(), meta.get("settings").getAsString());
      int count = meta.get("count").getAsInt();
      int dimension = meta.get("dimension").getAsInt();
      ImmutableList.Builder<String> ids = ImmutableList.builder();
      meta.getAsJsonArray("ids").forEach(e -> ids.add(e.getAsString()));
      ImmutableList<String> idList = ids.build();
      if (count < 0 || dimension < 1 || idList.size() != count) {
        throw corrupt(file, "metadata count " + count + ", dimension " + dimension + ", " + idList.size() + " ids");
      }
      return new Header(fingerprint, idList, count, dimension, start.capacity() + (long) length);
    } catch (StrictJson.Malformed | IllegalStateException | UnsupportedOperationException | NullPointerException
        | ClassCastException | ArithmeticException e) {
      throw corrupt(file, "bad metadata: " + e.getMessage());
    }
  }

  private static IOException corrupt(Path file, String problem) {
    return new IOException(problem + " in " + file);
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw corrupt(file, "unexpected end of file at byte " + at);
      }
      at += n;
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
