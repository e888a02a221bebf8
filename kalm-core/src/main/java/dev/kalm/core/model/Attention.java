package dev.kalm.core.model;

/** The attention pattern of the encoder. Padding is masked in both. */
public enum Attention {
  /** Each token sees itself and the tokens before it: stock Qwen2, KaLM v1 and v1.5. */
  CAUSAL,
  /** Each token sees every non-padding token: KaLM-V2. */
  BIDIRECTIONAL;

  /** Parses {@code causal|bidirectional}, case-insensitive. */
  public static Attention parse(String name) {
    switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "causal": return CAUSAL;
      case "bidirectional": return BIDIRECTIONAL;
      default: throw new IllegalArgumentException("attention must be causal or bidirectional; got '" + name + "'");
    }
  }
}
