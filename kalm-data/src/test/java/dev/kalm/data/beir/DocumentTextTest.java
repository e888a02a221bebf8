package dev.kalm.data.beir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Document text as MTEB builds it: {@code (title + " " + text).strip()} with Python's whitespace. */
class DocumentTextTest {
  @Test
  void titleSpaceTextStrippedAsPython() {
    assertEquals("Title body", BeirDataset.documentText("Title", "body"));
    assertEquals("body", BeirDataset.documentText("", "body"));
    assertEquals("body", BeirDataset.documentText(null, "body"));
    assertEquals("body  text", BeirDataset.documentText("", "  body  text \n"));
    assertEquals("T", BeirDataset.documentText("T ", ""));
    // Python's isspace() includes no-break spaces and NEL; Java's isWhitespace alone does not.
    assertEquals("x", BeirDataset.documentText("\u00a0", "x\u0085\u202f"));
    assertEquals("\u200bx", BeirDataset.documentText("", "\u200bx")); // zero-width space is not whitespace
  }
}
