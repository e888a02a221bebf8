package dev.kalm.core.internal.embed;

import static com.google.common.base.Preconditions.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.kalm.core.model.Pooling;
import java.util.List;

/**
 * Token sequences padded to the longest one (on the right, or on the left as Qwen3-Embedding's tokenizer does
 * for last-token pooling), with their padding mask. Immutable by convention (arrays are not copied out; do not
 * modify them). Position ids are 0..length-1 in every row, padding included (transformers' default when no
 * position ids are passed); rotary embeddings are relative, so the side does not change the result.
 *
 * @param ids row-major {@code [rows, length]} token ids, 0 in padding
 * @param mask row-major {@code [rows, length]}, 1 on tokens and 0 on padding
 * @param rows number of sequences
 * @param length padded length, at least 1
 */
public record TokenBatch(long[] ids, float[] mask, int rows, int length) {
  public TokenBatch {
    checkArgument(ids.length == rows * length && mask.length == ids.length, "ids/mask size must be rows x length");
  }

  /** Pads {@code sequences}, each cut to its first {@code maxLength} tokens, on the right. */
  public static TokenBatch rightPadded(List<long[]> sequences, int maxLength) {
    return padded(sequences, maxLength, false);
  }

  /** Pads {@code sequences}, each cut to its first {@code maxLength} tokens, on the left (real tokens end each row). */
  public static TokenBatch leftPadded(List<long[]> sequences, int maxLength) {
    return padded(sequences, maxLength, true);
  }

  private static TokenBatch padded(List<long[]> sequences, int maxLength, boolean left) {
    int length = 1;
    for (long[] s : sequences) {
      length = Math.max(length, Math.min(s.length, maxLength));
    }
    long[] ids = new long[sequences.size() * length];
    float[] mask = new float[ids.length];
    for (int r = 0; r < sequences.size(); r++) {
      long[] s = sequences.get(r);
      int n = Math.min(s.length, maxLength);
      int offset = r * length + (left ? length - n : 0);
      System.arraycopy(s, 0, ids, offset, n);
      java.util.Arrays.fill(mask, offset, offset + n, 1f);
    }
    return new TokenBatch(ids, mask, sequences.size(), length);
  }

  /** Number of real (unpadded) tokens. */
  public long tokenCount() {
    long n = 0;
    for (float m : mask) {
      n += (long) m;
    }
    return n;
  }

  /** The ids as an int64 array on {@code manager}. */
  public NDArray ids(NDManager manager) {
    return manager.create(ids, new Shape(rows, length));
  }

  /** The mask as a float32 array on {@code manager}. */
  public NDArray mask(NDManager manager) {
    return manager.create(mask, new Shape(rows, length));
  }

  /** Pooling weights for this batch (see {@link Pooler#weights}) on {@code manager}. */
  public NDArray poolingWeights(NDManager manager, Pooling pooling) {
    return manager.create(Pooler.weights(pooling, mask, rows, length), new Shape(rows, length));
  }
}
