package dev.kalm.data.example;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Text normalisation used to decide that two texts are "the same" (deduplication, negative exclusion,
 * in-batch duplicate checks). Stateless and thread-safe.
 */
public final class Texts {
  private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

  private Texts() {}

  /**
   * The normalised form of a text: Unicode NFKC, lower case ({@link Locale#ROOT}), runs of whitespace
   * collapsed to one space, leading and trailing whitespace removed. Deterministic; idempotent.
   *
   * <pre>{@code Texts.normalize("  Ｌｉｓｔ\n  FILES ") // "list files"}</pre>
   */
  public static String normalize(String text) {
    String nfkc = Normalizer.normalize(text, Normalizer.Form.NFKC);
    return WHITESPACE.matcher(nfkc.toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
  }
}
