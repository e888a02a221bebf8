package dev.kalm.examples.man;

import com.google.common.collect.ImmutableMap;

/**
 * Turns roff escapes in one line of text into plain text: fonts, sizes, motions and colours vanish,
 * special characters become their Unicode characters, strings are expanded from a table. Never throws:
 * an escape cut short at the end of the line yields nothing.
 */
final class RoffText {
  /** Special characters ({@code \(xx}, {@code \[name]}) that have a plain-text rendering. */
  private static final ImmutableMap<String, String> SPECIALS = ImmutableMap.<String, String>builder()
      .put("em", "\u2014").put("en", "\u2013").put("hy", "-").put("mi", "-").put("\\-", "-")
      .put("aq", "'").put("dq", "\"").put("lq", "\u201c").put("rq", "\u201d").put("oq", "\u2018")
      .put("cq", "\u2019").put("Bq", "\u201e").put("bq", "\u201a").put("Fo", "\u00ab").put("Fc", "\u00bb")
      .put("fo", "\u2039").put("fc", "\u203a").put("la", "\u27e8").put("ra", "\u27e9")
      .put("bu", "\u2022").put("ci", "\u25cb").put("sq", "\u25a1").put("co", "\u00a9").put("rg", "\u00ae")
      .put("tm", "\u2122").put("sc", "\u00a7").put("ps", "\u00b6").put("de", "\u00b0").put("dg", "\u2020")
      .put("dd", "\u2021").put("ct", "\u00a2").put("Po", "\u00a3").put("Eu", "\u20ac").put("eu", "\u20ac")
      .put("Ye", "\u00a5").put("pl", "+").put("eq", "=").put("mu", "\u00d7").put("di", "\u00f7")
      .put("+-", "\u00b1").put("<=", "\u2264").put(">=", "\u2265").put("!=", "\u2260").put("==", "\u2261")
      .put("~=", "\u2245").put("ap", "~").put("->", "\u2192").put("<-", "\u2190").put("<>", "\u2194")
      .put("rA", "\u21d2").put("lA", "\u21d0").put("ua", "\u2191").put("da", "\u2193")
      .put("ga", "`").put("aa", "\u00b4").put("ha", "^").put("ti", "~").put("rs", "\\").put("sl", "/")
      .put("ba", "|").put("br", "\u2502").put("bv", "\u2502").put("ul", "_").put("ru", "_")
      .put("lh", "\u261c").put("rh", "\u261e").put("OK", "\u2713").put("**", "*").put("sh", "#")
      .put("at", "@").put("Do", "$").put("lB", "[").put("rB", "]").put("lC", "{").put("rC", "}")
      .put("fa", "\u2200").put("te", "\u2203").put("if", "\u221e").put("sr", "\u221a")
      .put("12", "\u00bd").put("14", "\u00bc").put("34", "\u00be").put("S1", "\u00b9").put("S2", "\u00b2")
      .put("S3", "\u00b3").put("ss", "\u00df").put("AE", "\u00c6").put("ae", "\u00e6").put("OE", "\u0152")
      .put("oe", "\u0153").put("/o", "\u00f8").put("/O", "\u00d8").put("oA", "\u00c5").put("oa", "\u00e5")
      .put(":a", "\u00e4").put(":o", "\u00f6").put(":u", "\u00fc").put(":A", "\u00c4").put(":O", "\u00d6")
      .put(":U", "\u00dc").put("'e", "\u00e9").put("'E", "\u00c9").put("`e", "\u00e8").put("`a", "\u00e0")
      .put("'a", "\u00e1").put("'o", "\u00f3").put("'i", "\u00ed").put("'u", "\u00fa").put(",c", "\u00e7")
      .put("~n", "\u00f1").put("~N", "\u00d1").put("^e", "\u00ea").put("^o", "\u00f4").put("^a", "\u00e2")
      .put("hA", "\u21d4").put("bx", "\u2588").put("pc", "\u00b7").put("md", "\u22c5").put("tno", "~")
      .put("Lq", "\u201c").put("Rq", "\u201d").put("ho", "\u02db").put("a-", "\u00af").put("a^", "^")
      .put("a~", "~").put("ad", "\u00a8").put("ab", "\u02d8").put("ac", "\u00b8").put("ah", "\u02c7")
      .put("ao", "\u02da").put("a\"", "\u02dd").put("es", "\u2205").put("nm", "\u2209")
      .put("mc", "\u00b5")
      
      .put("ff", "ff").put("fi", "fi").put("fl", "fl").put("Fi", "ffi").put("Fl", "ffl")
      .put("tmu", "\u00d7").put("tdi", "\u00f7").put("nb", "\u2284").put("no", "\u00ac").put("or", "|")
      .put("sd", "\u2033").put("fm", "\u2032").put("lz", "\u25ca")
      .put("HE", "\u2665").put("CL", "\u2663").put("SP", "\u2660").put("DI", "\u2666")
      .buildOrThrow();

  /** Strings stop expanding once a line's text is this long (guards against exponential definitions). */
  private static final int MAX_EXPANSION = 100_000;

  /** Greek letters: {@code \(*a} is alpha, {@code \(*W} is capital omega. */
  private static final ImmutableMap<String, String> GREEK;

  static {
    String latin = "abgdezyhiklmncoprstufxqw";
    String lower = "\u03b1\u03b2\u03b3\u03b4\u03b5\u03b6\u03b7\u03b8\u03b9\u03ba\u03bb\u03bc\u03bd\u03be\u03bf\u03c0\u03c1\u03c3\u03c4\u03c5\u03c6\u03c7\u03c8\u03c9";
    String upper = "\u0391\u0392\u0393\u0394\u0395\u0396\u0397\u0398\u0399\u039a\u039b\u039c\u039d\u039e\u039f\u03a0\u03a1\u03a3\u03a4\u03a5\u03a6\u03a7\u03a8\u03a9";
    ImmutableMap.Builder<String, String> greek = ImmutableMap.builder();
    for (int i = 0; i < latin.length(); i++) {
      greek.put("*" + latin.charAt(i), String.valueOf(lower.charAt(i)));
      greek.put("*" + Character.toUpperCase(latin.charAt(i)), String.valueOf(upper.charAt(i)));
    }
    GREEK = greek.buildOrThrow();
  }

  private RoffText() {}

  /**
   * The plain text of {@code line}: escapes resolved, strings and registers taken from {@code state}
   * (nested expansion limited to a few levels). A {@code \"} comment ends the line.
   */
  static String plain(String line, RoffState state) {
    StringBuilder out = new StringBuilder(line.length());
    append(line, state, out, 0);
    return out.toString();
  }

  /** The character of a special-character name ({@code em}, {@code u2014}, {@code char46}), or "" when unknown. */
  static String special(String name) {
    String known = SPECIALS.get(name);
    if (known != null) {
      return known;
    }
    known = GREEK.get(name);
    if (known != null) {
      return known;
    }
    if (name.length() >= 5 && name.charAt(0) == 'u') {
      StringBuilder chars = new StringBuilder();
      for (String part : name.substring(1).split("_")) {
        int code = parseInt(part, 16);
        if (code < 0 || !Character.isValidCodePoint(code)) {
          return "";
        }
        chars.appendCodePoint(code);
      }
      return chars.toString();
    }
    if (name.startsWith("char")) {
      int code = parseInt(name.substring(4), 10);
      return code >= 32 && code < 0x110000 && Character.isValidCodePoint(code) ? new String(Character.toChars(code)) : "";
    }
    return name.length() == 1 ? name : "";
  }

  /** {@code s} with its string escapes ({@code \*x}, {@code \*(xx}, {@code \*[name]}) replaced by their definitions. */
  static String expandStrings(String s, RoffState state) {
    if (!s.contains("\\*")) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < n && s.charAt(i + 1) == '*') {
        String[] name = new String[1];
        i = name(s, i + 2, name);
        out.append(state.strings.getOrDefault(name[0], ""));
      } else if (c == '\\' && i + 1 < n) {
        out.append(c).append(s.charAt(i + 1));
        i += 2;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** Splits text into roff characters: a plain character, or one whole escape ({@code \(xx}, {@code \[name]}, {@code \X}). */
  static java.util.List<String> characters(String s) {
    java.util.List<String> units = new java.util.ArrayList<>();
    int n = s.length();
    int i = 0;
    while (i < n) {
      int end;
      if (s.charAt(i) != '\\' || i + 1 >= n) {
        end = i + Character.charCount(s.codePointAt(i));
      } else if (s.charAt(i + 1) == '(') {
        end = Math.min(n, i + 4);
      } else if (s.charAt(i + 1) == '[') {
        int close = s.indexOf(']', i);
        end = close < 0 ? n : close + 1;
      } else {
        end = i + 2;
      }
      units.add(s.substring(i, end));
      i = end;
    }
    return units;
  }

  private static void append(String s, RoffState state, StringBuilder out, int depth) {
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c != '\\') {
        out.append(c == '\t' ? ' ' : c);
        i++;
        continue;
      }
      if (i + 1 >= n) {
        return; // a lone backslash at the end: a line continuation already handled, or garbage
      }
      char e = s.charAt(i + 1);
      i += 2;
      switch (e) {
        case '"', '#' -> { return; } // comment to end of line
        case '\\', 'e', 'E' -> out.append('\\');
        case '-', '.', '`' -> out.append(e);
        case '\'' -> out.append('\'');
        case ' ', '~', '0', '_' -> out.append(e == '_' ? '_' : ' ');
        case 't' -> out.append(' ');
        case '&', ')', '%', ':', ',', '/', '|', '^', 'c', '{', '}', 'a', 'u', 'd', 'p', 'r', 'z', '!', '?' -> {
          // zero-width, motions, line joins and conditional braces produce no text
        }
        case '(' -> {
          String name = s.substring(i, Math.min(n, i + 2));
          i += name.length();
          out.append(name.length() == 2 ? special(name) : "");
        }
        case '[' -> {
          int end = s.indexOf(']', i);
          String name = end < 0 ? "" : s.substring(i, end);
          i = end < 0 ? n : end + 1;
          int space = name.indexOf(' ');
          out.append(special(space < 0 ? name : name.substring(0, space)));
        }
        case '*' -> {
          String[] name = new String[1];
          i = name(s, i, name);
          String value = state.strings.get(name[0]);
          if (value != null && depth < 8 && out.length() < MAX_EXPANSION) {
            append(value, state, out, depth + 1);
          }
        }
        case 'n' -> {
          int step = 0;
          if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            step = s.charAt(i) == '+' ? 1 : -1;
            i++;
          }
          String[] name = new String[1];
          i = name(s, i, name);
          out.append(state.register(name[0], step));
        }
        case 'f', 'F', 'm', 'M', 'g', 'k', 'V', 'Y', '$' -> i = name(s, i, new String[1]);
        case 's' -> i = size(s, i);
        case 'N' -> {
          String[] arg = new String[1];
          i = delimited(s, i, arg);
          int code = parseInt(arg[0], 10);
          if (code >= 32 && Character.isValidCodePoint(code)) {
            out.appendCodePoint(code);
          }
        }
        case 'C' -> {
          String[] arg = new String[1];
          i = delimited(s, i, arg);
          out.append(special(arg[0]));
        }
        case 'o' -> {
          String[] arg = new String[1];
          i = delimited(s, i, arg);
          String text = plain(arg[0], state);
          if (!text.isEmpty()) {
            out.appendCodePoint(text.codePointAt(0)); // overstrike: keep the first glyph
          }
        }
        case 'Z' -> {
          String[] arg = new String[1];
          i = delimited(s, i, arg);
          append(arg[0], state, out, depth + 1);
        }
        case 'h' -> {
          String[] arg = new String[1];
          i = delimited(s, i, arg);
          if (!arg[0].startsWith("-") && !arg[0].isEmpty() && !arg[0].matches("[+]?0*(\\.0*)?[a-zA-Z]?")) {
            out.append(' '); // a rightward motion separates what it moves apart
          }
        }
        case 'w' -> {
          i = delimited(s, i, new String[1]);
          out.append('0'); // a width: only used in expressions
        }
        case 'v', 'l', 'L', 'D', 'b', 'X', 'x', 'R', 'S', 'A', 'B', 'H', 'T', 'U' -> i = delimited(s, i, new String[1]);
        case 'O' -> i = i < n && s.charAt(i) == '[' ? skipBracket(s, i) : Math.min(n, i + 1);
        default -> out.append(e);
      }
    }
  }

  /** Reads an escape's name argument ({@code x}, {@code (xx} or {@code [name]}) starting at {@code i}. */
  private static int name(String s, int i, String[] name) {
    int n = s.length();
    if (i >= n) {
      name[0] = "";
      return n;
    }
    char c = s.charAt(i);
    if (c == '(') {
      int end = Math.min(n, i + 3);
      name[0] = s.substring(i + 1, end);
      return end;
    }
    if (c == '[') {
      int end = s.indexOf(']', i);
      String inner = end < 0 ? s.substring(i + 1) : s.substring(i + 1, end);
      int space = inner.indexOf(' ');
      name[0] = space < 0 ? inner : inner.substring(0, space);
      return end < 0 ? n : end + 1;
    }
    name[0] = String.valueOf(c);
    return i + 1;
  }

  /** Skips a size argument: {@code \s+2}, {@code \s-1}, {@code \s0}, {@code \s(12}, {@code \s[12]}, {@code \s'12'}. */
  private static int size(String s, int i) {
    int n = s.length();
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    if (i >= n) {
      return n;
    }
    char c = s.charAt(i);
    if (c == '(') {
      return Math.min(n, i + 3);
    }
    if (c == '[') {
      return skipBracket(s, i);
    }
    if (c == '\'') {
      return delimited(s, i, new String[1]);
    }
    if (Character.isDigit(c)) {
      int end = i + 1;
      // groff reads one digit, or two when the first is 1-3 (sizes 10-39)
      if (c >= '1' && c <= '3' && end < n && Character.isDigit(s.charAt(end))) {
        end++;
      }
      return end;
    }
    return i;
  }

  private static int skipBracket(String s, int i) {
    int end = s.indexOf(']', i);
    return end < 0 ? s.length() : end + 1;
  }

  /** Reads a delimited argument {@code 'text'} starting at {@code i} (the delimiter is any character). */
  private static int delimited(String s, int i, String[] arg) {
    int n = s.length();
    if (i >= n) {
      arg[0] = "";
      return n;
    }
    char delimiter = s.charAt(i);
    int end = s.indexOf(delimiter, i + 1);
    arg[0] = end < 0 ? s.substring(i + 1) : s.substring(i + 1, end);
    return end < 0 ? n : end + 1;
  }

  private static int parseInt(String s, int radix) {
    if (s.isEmpty() || s.length() > 8) {
      return -1;
    }
    try {
      return Integer.parseInt(s, radix);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
