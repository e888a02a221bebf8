package dev.kalm.examples.man;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;

/**
 * One manual page as plain text. Immutable.
 *
 * @param name the page's first name from its NAME section ({@code ls} for "ls, dir \- list ..."), or the
 *     file's name without section when the page names nothing; not empty
 * @param section the manual section, a digit {@code 1}..{@code 9} (the {@code manN} folder; {@code 1} for
 *     {@code CA.pl.1ssl.gz}); not empty
 * @param summary the NAME line's text after the dash, or mdoc's {@code .Nd}; empty when missing
 * @param description the DESCRIPTION section's first words (by default 220), whitespace collapsed; empty
 *     when missing
 * @param path the file it was read from
 */
public record ManPage(String name, String section, String summary, String description, Path path) {
  /**
   * Validates.
   *
   * @throws IllegalArgumentException for an empty name or section
   * @throws NullPointerException for a null argument
   */
  public ManPage {
    checkNotNull(name, "name");
    checkArgument(!name.isEmpty(), "name must not be empty (page %s)", path);
    checkNotNull(section, "section");
    checkArgument(!section.isEmpty(), "section must not be empty (page %s)", path);
    checkNotNull(summary, "summary");
    checkNotNull(description, "description");
    checkNotNull(path, "path");
  }

  /** The page's conventional reference, {@code name(section)}, e.g. {@code ls(1)}. */
  public String reference() {
    return name + "(" + section + ")";
  }

  /** Number of whitespace-separated words of the description. */
  public int descriptionWords() {
    return RoffParser.countWords(description);
  }
}
