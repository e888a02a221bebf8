package dev.kalm.train.eval;

import com.google.common.collect.ImmutableList;
import dev.kalm.core.jsonl.JsonLine;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** One {@code {"text", "label"}} line of a classification or clustering file. */
record LabelledText(String text, String label) {

  static LabelledText parse(JsonLine l) {
    return new LabelledText(l.string("text"), Readers.label(l, "label"));
  }

  /**
   * The distinct labels in {@code numpy.unique} order: numerically when every label is a number, else as
   * strings. The order fixes the positive class of a binary task (the second) and argmax ties.
   */
  static ImmutableList<String> sortedLabels(List<LabelledText> texts) {
    List<String> labels = new ArrayList<>(new LinkedHashSet<>(texts.stream().map(LabelledText::label).toList()));
    boolean numeric = labels.stream().allMatch(l -> number(l) != null);
    labels.sort(numeric ? Comparator.comparingDouble(l -> number(l)) : Comparator.naturalOrder());
    return ImmutableList.copyOf(labels);
  }

  private static @Nullable Double number(String s) {
    try {
      return Double.valueOf(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
