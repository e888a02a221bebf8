package dev.kalm.data.example;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.kalm.core.report.Report;

/**
 * What an {@link ExampleReader} has read so far. Immutable snapshot.
 *
 * <p>Reasons for skipped lines (keys of {@link #skippedByReason()}): {@value #INVALID_JSON},
 * {@value #MISSING_FIELD}, {@value #WRONG_TYPE}, {@value #EMPTY_QUERY}, {@value #NO_POSITIVE},
 * {@value #BAD_SCORES}.
 *
 * @param lines non-blank lines seen
 * @param examples examples returned
 * @param skippedByReason lines skipped (lenient mode), by reason, in first-seen order
 * @param firstErrors the messages (file:line: field 'f': problem) of the first skipped lines, at most
 *     {@link ExampleReader#MAX_ERRORS_KEPT}
 */
public record ReadReport(
    long lines, long examples, ImmutableMap<String, Long> skippedByReason, ImmutableList<String> firstErrors) {
  /** The line is not a strict JSON object. */
  public static final String INVALID_JSON = "invalid-json";
  /** The line's bytes are not valid UTF-8. */
  public static final String NOT_UTF8 = "not-utf8";
  /** {@code query} or {@code pos} is absent (or null). */
  public static final String MISSING_FIELD = "missing-field";
  /** A field has the wrong JSON type (e.g. {@code query} is a number) or an empty {@code task}. */
  public static final String WRONG_TYPE = "wrong-type";
  /** {@code query} is empty or blank. */
  public static final String EMPTY_QUERY = "empty-query";
  /** {@code pos} is an empty list or holds an empty text. */
  public static final String NO_POSITIVE = "no-positive";
  /** {@code neg} holds an empty or blank text (it would embed to the zero vector). */
  public static final String EMPTY_NEGATIVE = "empty-negative";
  /** {@code pos_scores} / {@code neg_scores} do not have one finite number per document. */
  public static final String BAD_SCORES = "bad-scores";

  /** Validates and copies. @throws IllegalArgumentException for negative counts */
  public ReadReport {
    checkArgument(lines >= 0 && examples >= 0, "counts must be >= 0, got lines=%s examples=%s", lines, examples);
    skippedByReason = ImmutableMap.copyOf(skippedByReason);
    firstErrors = ImmutableList.copyOf(firstErrors);
  }

  /** Lines skipped, all reasons together. */
  public long skipped() {
    return skippedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * One line for people, e.g. {@code 1200 examples from 1203 lines, 3 skipped {invalid-json=2, no-positive=1}};
   * the skipped part only when lines were skipped.
   */
  public String summary() {
    String s = examples + " examples from " + lines + " lines";
    return skipped() == 0 ? s : s + ", " + skipped() + " skipped " + skippedByReason;
  }

  /**
   * This report's fields for a run report: {@code lines}, {@code examples}, {@code skipped} (reason to count),
   * {@code first_errors}.
   */
  public Report toReport() {
    return Report.builder()
        .add("lines", lines)
        .add("examples", examples)
        .add("skipped", skippedByReason)
        .addStrings("first_errors", firstErrors)
        .build();
  }
}
