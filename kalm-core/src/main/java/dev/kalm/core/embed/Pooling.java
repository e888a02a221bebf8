package dev.kalm.core.embed;

import java.util.Locale;

/**
 * How token states become one vector. Pooling is applied before Matryoshka truncation and normalisation. Every
 * mode is a weighted sum of the token states, with the weights of {@link Pooler#weights}, computed as
 * sentence-transformers' {@code Pooling} module does. Its {@code max_tokens} mode (not a weighted sum) and
 * combinations of several modes are not supported.
 */
public enum Pooling {
  /** Mean over the non-padding tokens (KaLM v1, v1.5 and V2); sentence-transformers' {@code mean_tokens}. */
  MEAN("mean_tokens"),
  /** The hidden state of the last non-padding token (gte-Qwen2, Qwen3-Embedding); correct for left and right padding. */
  LAST("lasttoken"),
  /** The hidden state of the first non-padding token; sentence-transformers' {@code cls_token}. */
  FIRST("cls_token"),
  /** The sum over the non-padding tokens divided by the square root of their count ({@code mean_sqrt_len_tokens}). */
  MEAN_SQRT_LEN("mean_sqrt_len_tokens"),
  /**
   * Position-weighted mean ({@code weightedmean_tokens}, SGPT): token at padded position {@code t} (0-based) has
   * weight {@code t + 1}, normalised over the non-padding tokens. Positions count padding, so it depends on the
   * padding side as in sentence-transformers; kalm pads on the right for this mode.
   */
  WEIGHTED_MEAN("weightedmean_tokens");

  private final String sentenceTransformersName;

  Pooling(String sentenceTransformersName) {
    this.sentenceTransformersName = sentenceTransformersName;
  }

  /** The suffix of sentence-transformers' {@code pooling_mode_*} flag for this mode, e.g. {@code mean_tokens}. */
  public String sentenceTransformersName() {
    return sentenceTransformersName;
  }

  /**
   * Parses {@code mean|last|first|mean_sqrt_len|weighted_mean}, also sentence-transformers' names ({@code lasttoken},
   * {@code cls}, {@code mean_tokens}, {@code weightedmean}, ...), case-insensitive.
   *
   * @throws IllegalArgumentException naming the value, with a specific message for {@code max}
   */
  public static Pooling parse(String name) {
    String key = name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    switch (key) {
      case "mean": case "meantokens": return MEAN;
      case "last": case "lasttoken": return LAST;
      case "first": case "cls": case "clstoken": return FIRST;
      case "meansqrtlen": case "meansqrtlentokens": return MEAN_SQRT_LEN;
      case "weightedmean": case "weightedmeantokens": return WEIGHTED_MEAN;
      case "max": case "maxtokens":
        throw new IllegalArgumentException("pooling 'max' (sentence-transformers' max_tokens) is not supported: "
            + "kalm pools by weighted sums; use mean, last, first, mean_sqrt_len or weighted_mean");
      default:
        throw new IllegalArgumentException(
            "pooling must be one of mean, last, first, mean_sqrt_len, weighted_mean; got '" + name + "'");
    }
  }
}
