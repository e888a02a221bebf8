package dev.kalm.core.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import dev.kalm.core.device.Backends;
import dev.kalm.core.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Hugging Face {@code tokenizer.json} tokenizer producing unpadded token ids with the tokenizer's own special
 * tokens, as {@code tokenizer(text)} does in transformers: the file's post-processor decides them (the Qwen2
 * tokenizer adds none; the released Qwen3-Embedding tokenizer appends {@code <|endoftext|>}); nothing is
 * hard-coded here. Thread-safe; {@link #close()} frees the native tokenizer.
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
    return encode(texts, Integer.MAX_VALUE);
  }

  /**
   * Token ids of each text truncated to at most {@code maxLength} as transformers' {@code truncation=True} does:
   * the text's own tokens are cut and the special tokens the post-processor added (a leading BOS, a trailing
   * EOS) are kept, so a last-token pooled model still reads its EOS on a long text.
   *
   * <p>Encodes through DJL's native batch call and fetches only the ids (and the special-token mask of a text
   * that needs cutting): DJL's {@code Encoding} objects also carry every token as a Java string and character
   * spans, which cost more than the tokenisation itself.
   *
   * @throws IllegalArgumentException if {@code maxLength < 1} or a text is null
   */
  public long[][] encode(List<String> texts, int maxLength) {
    com.google.common.base.Preconditions.checkArgument(maxLength >= 1, "maxLength must be >= 1, got %s", maxLength);
    long[][] ids = new long[texts.size()][];
    long handle = tokenizer.getHandle();
    for (int start = 0; start < texts.size(); start += CHUNK) {
      String[] chunk = texts.subList(start, Math.min(texts.size(), start + CHUNK)).toArray(String[]::new);
      for (int i = 0; i < chunk.length; i++) {
        com.google.common.base.Preconditions.checkArgument(chunk[i] != null, "texts[%s] is null", start + i);
      }
      long[] encodings = TokenizersLibrary.LIB.batchEncode(handle, chunk, true);
      try {
        for (int i = 0; i < encodings.length; i++) {
          long[] all = TokenizersLibrary.LIB.getTokenIds(encodings[i]);
          ids[start + i] = all.length <= maxLength ? all
              : truncate(all, TokenizersLibrary.LIB.getSpecialTokenMask(encodings[i]), maxLength);
        }
      } finally {
        for (long encoding : encodings) {
          TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
      }
    }
    return ids;
  }

  /** {@code ids} cut to {@code maxLength}, keeping the leading and trailing runs of post-processor tokens. */
  static long[] truncate(long[] ids, long[] special, int maxLength) {
    if (ids.length <= maxLength) {
      return ids;
    }
    int head = 0;
    while (head < ids.length && special[head] != 0) {
      head++;
    }
    int tail = 0;
    while (tail < ids.length - head && special[ids.length - 1 - tail] != 0) {
      tail++;
    }
    if (head + tail >= maxLength) {
      return java.util.Arrays.copyOf(ids, maxLength);
    }
    long[] out = new long[maxLength];
    System.arraycopy(ids, 0, out, 0, maxLength - tail);
    System.arraycopy(ids, ids.length - tail, out, maxLength - tail, tail);
    return out;
  }

  /**
   * The number of leading tokens that belong to {@code prompt}, counted as sentence-transformers counts them
   * for {@code include_prompt: false}: the prompt's ids with special tokens, less one when the last of them is a
   * special token the post-processor appended (an EOS that the prompt + text sequence does not have there).
   */
  public int promptLength(String prompt) {
    Encoding e = tokenizer.encode(prompt, true, false);
    long[] ids = e.getIds();
    long[] special = e.getSpecialTokenMask();
    return ids.length > 0 && special[ids.length - 1] != 0 ? ids.length - 1 : ids.length;
  }

  /** Token ids of one text, untruncated. */
  public long[] encode(String text) {
    return encode(List.of(text))[0];
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
