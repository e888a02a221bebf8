package dev.kalm.train.eval;

import java.util.Locale;

/**
 * Which side of a bitext pair is searched for which. A line {@code {"lang","en","xx"}} has source side
 * {@code xx} and target side {@code en} in the {@link #FORWARD} direction (as MTEB's Tatoeba subsets
 * {@code xxx-eng}); a line {@code {"sentence1","sentence2"}} has source {@code sentence1} (MTEB's default
 * pair).
 */
public enum BitextDirection {
  /** Source to target: xx -> en, or sentence1 -> sentence2 (MTEB's default). */
  FORWARD,
  /** Target to source: en -> xx, or sentence2 -> sentence1. */
  BACKWARD,
  /** Both directions, each reported as its own subset. */
  BOTH;

  /** Parses {@code forward|backward|both}, case-insensitive. @throws IllegalArgumentException otherwise */
  public static BitextDirection parse(String name) {
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "forward": return FORWARD;
      case "backward": return BACKWARD;
      case "both": return BOTH;
      default: throw new IllegalArgumentException("bitext direction must be forward, backward or both; got '" + name + "'");
    }
  }
}
