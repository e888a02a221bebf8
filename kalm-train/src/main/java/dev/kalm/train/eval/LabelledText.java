package dev.kalm.train.eval;

import dev.kalm.core.jsonl.JsonLine;
import java.util.Comparator;

/** One {@code {"text", "label"}} line of a classification or clustering file. */
record LabelledText(String text, String label) {

  static LabelledText parse(JsonLine l) {
    return new LabelledText(l.string("text"), Readers.label(l, "label"));
  }

  /** numpy's {@code unique} order: numeric when both labels are numbers, else by string. */
  static final Comparator<String> LABEL_ORDER = (a, b) -> {
    Double x = number(a);
    Double y = number(b);
    return x != null && y != null && !x.equals(y) ? Double.compare(x, y) : a.compareTo(b);
  };

  private static Double number(String s) {
    try {
      return Double.valueOf(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
