package dev.kalm.core.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.kalm.core.device.Backends;
import dev.kalm.core.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer producing untruncated, unpadded token ids with the
 * tokenizer's own special tokens (Qwen2 adds none), as {@code tokenizer(text)} does in transformers.
 * Thread-safe; {@link #close()} frees the native tokenizer.
 */
public final class TextTokenizer implements AutoCloseable {
  private static final int CHUNK = 1024;

  private final HuggingFaceTokenizer tokenizer;

  private TextTokenizer(HuggingFaceTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  /**
   * Loads {@code tokenizer.json} (a file, or a folder holding one).
   *
   * @throws ModelFormatException naming the file when it is missing or unreadable
   */
  public static TextTokenizer load(Path path) {
    Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
    if (!Files.isRegularFile(file)) {
      throw new ModelFormatException(file, "tokenizer missing: no tokenizer.json");
    }
    Backends.cpu(); // applies the offline / CPU-flavour settings before the native library loads
    try {
      return new TextTokenizer(HuggingFaceTokenizer.builder()
          .optTokenizerPath(file)
          .optAddSpecialTokens(true)
          .optTruncation(false)
          .optPadding(false)
          .build());
    } catch (IOException | RuntimeException e) {
      throw new ModelFormatException(file, "cannot load tokenizer: " + e.getMessage(), e);
    }
  }

  /** Token ids of each text, untruncated. */
  public long[][] encode(List<String> texts) {
    long[][] ids = new long[texts.size()][];
    for (int start = 0; start < texts.size(); start += CHUNK) {
      List<String> chunk = texts.subList(start, Math.min(texts.size(), start + CHUNK));
      Encoding[] encodings = tokenizer.batchEncode(chunk, true, false);
      for (int i = 0; i < encodings.length; i++) {
        ids[start + i] = encodings[i].getIds();
      }
    }
    return ids;
  }

  /** Token ids of one text, untruncated. */
  public long[] encode(String text) {
    return tokenizer.encode(text, true, false).getIds();
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
