package dev.kalm.examples.man;

import java.util.HashMap;
import java.util.Map;

/**
 * The definitions a page makes while it is read: strings ({@code .ds}), number registers ({@code .nr})
 * and character translations ({@code .tr}). Starts with the man and mdoc predefined strings and with
 * the registers groff's nroff mode sets ({@code .g} = 1). Not thread-safe: one per page.
 */
final class RoffState {
  final Map<String, String> strings = new HashMap<>();
  final Map<String, Integer> registers = new HashMap<>();
  final Map<String, Integer> increments = new HashMap<>();
  final Map<Integer, String> translations = new HashMap<>();

  RoffState() {
    String[][] predefined = {
        {"lq", "\u201c"}, {"rq", "\u201d"}, {"Lq", "\u201c"}, {"Rq", "\u201d"}, {"q", "\""}, {"R", "\u00ae"},
        {"Tm", "\u2122"}, {"S", ""}, {"Ba", "|"}, {"Le", "\u2264"}, {"Ge", "\u2265"}, {"Lt", "<"}, {"Gt", ">"},
        {"Ne", "\u2260"}, {"Pm", "\u00b1"}, {"Am", "&"}, {"If", "\u221e"}, {"Pi", "\u03c0"}, {"Na", "NaN"},
        {".T", "utf8"}};
    for (String[] s : predefined) {
      strings.put(s[0], s[1]);
    }
    registers.put(".g", 1);
    registers.put(".H", 24);
    registers.put(".V", 40);
  }

  /** A register's value, 0 when undefined; {@code step} +1/-1 first adds/subtracts its increment. */
  int register(String name, int step) {
    int value = registers.getOrDefault(name, 0);
    if (step != 0) {
      value += step * increments.getOrDefault(name, 0);
      registers.put(name, value);
    }
    return value;
  }

  /** Applies {@code .tr} translations to text. */
  String translate(String text) {
    if (translations.isEmpty()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      String to = translations.get(c);
      if (to != null) {
        out.append(to);
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }

  /**
   * Evaluates a roff numeric expression as groff does: strictly left to right, parentheses group,
   * operators {@code + - * / % < > <= >= = == != <> & :}, scale indicators ignored, fractions
   * truncated. Escapes must already be resolved. Malformed input evaluates to what was read so far.
   */
  static long evaluate(String expression) {
    int[] pos = {0};
    return expression(expression, pos, 0);
  }

  private static long expression(String s, int[] pos, int depth) {
    long value = operand(s, pos, depth);
    while (pos[0] < s.length()) {
      String op = operator(s, pos);
      if (op == null) {
        break;
      }
      long right = operand(s, pos, depth);
      value = switch (op) {
        case "+" -> value + right;
        case "-" -> value - right;
        case "*" -> value * right;
        case "/" -> right == 0 ? 0 : value / right;
        case "%" -> right == 0 ? 0 : value % right;
        case "<" -> value < right ? 1 : 0;
        case ">" -> value > right ? 1 : 0;
        case "<=" -> value <= right ? 1 : 0;
        case ">=" -> value >= right ? 1 : 0;
        case "=", "==" -> value == right ? 1 : 0;
        case "!=", "<>" -> value != right ? 1 : 0;
        case "&" -> value > 0 && right > 0 ? 1 : 0;
        case ":" -> value > 0 || right > 0 ? 1 : 0;
        default -> value;
      };
    }
    return value;
  }

  private static String operator(String s, int[] pos) {
    int i = pos[0];
    if (i >= s.length()) {
      return null;
    }
    for (String op : new String[] {"<=", ">=", "==", "!=", "<>", "+", "-", "*", "/", "%", "<", ">", "=", "&", ":"}) {
      if (s.startsWith(op, i)) {
        pos[0] = i + op.length();
        return op;
      }
    }
    return null;
  }

  private static long operand(String s, int[] pos, int depth) {
    int n = s.length();
    int i = pos[0];
    if (i >= n || depth > 32) {
      pos[0] = n;
      return 0;
    }
    char c = s.charAt(i);
    if (c == '(') {
      pos[0] = i + 1;
      long value = expression(s, pos, depth + 1);
      if (pos[0] < n && s.charAt(pos[0]) == ')') {
        pos[0]++;
      }
      return value;
    }
    if (c == '-' || c == '+') {
      pos[0] = i + 1;
      long value = operand(s, pos, depth + 1);
      return c == '-' ? -value : value;
    }
    long value = 0;
    int digits = 0;
    while (i < n && Character.isDigit(s.charAt(i)) && digits < 15) {
      value = value * 10 + (s.charAt(i) - '0');
      i++;
      digits++;
    }
    while (i < n && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
      i++; // fraction (or digits beyond long range): dropped
    }
    if (i < n && "ucimnpPsvfz".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    pos[0] = i;
    return value;
  }
}
