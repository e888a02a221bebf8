package dev.kalm.core.embed;

/** How token states become one vector. Pooling is applied before Matryoshka truncation and normalisation. */
public enum Pooling {
  /** Mean over the non-padding tokens (KaLM v1, v1.5 and V2). */
  MEAN,
  /** The hidden state of the last non-padding token (gte-Qwen2, Qwen3-Embedding); correct for left and right padding. */
  LAST,
  /** The hidden state of the first non-padding token. */
  FIRST;

  /** Parses {@code mean|last|first} (also sentence-transformers' {@code lasttoken}, {@code cls}), case-insensitive. */
  public static Pooling parse(String name) {
    switch (name.toLowerCase(java.util.Locale.ROOT).replace("_", "").replace("-", "")) {
      case "mean": return MEAN;
      case "last": case "lasttoken": return LAST;
      case "first": case "cls": return FIRST;
      default: throw new IllegalArgumentException("pooling must be one of mean, last, first; got '" + name + "'");
    }
  }
}
