package dev.kalm.examples.man;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import dev.kalm.examples.man.RoffTokens.Token;
import java.util.List;

/**
 * Renders one line of mdoc macros and words as plain text, the way mandoc prints it without fonts:
 * {@code Fl x} gives {@code -x}, {@code Xr ls 1} gives {@code ls(1)}, {@code Op ...} brackets the rest of
 * the line, closing punctuation sticks to the word before it. Not thread-safe (one per line); never throws.
 */
final class MdocLine {
  /** Macros that may appear inside a line, as arguments of other macros. */
  static final ImmutableSet<String> CALLABLE = ImmutableSet.of(
      "Ac", "Ad", "An", "Ao", "Ap", "Aq", "Ar", "At", "Bc", "Bo", "Bq", "Brc", "Bro", "Brq", "Bsx", "Bx", "Cd",
      "Cm", "Dc", "Do", "Dq", "Dv", "Dx", "Ec", "Em", "Eo", "Er", "Ev", "Fa", "Fc", "Fl", "Fn", "Fo", "Fr", "Ft",
      "Fx", "Ic", "In", "Li", "Lk", "Ms", "Mt", "Nm", "No", "Ns", "Nx", "Oc", "Oo", "Op", "Ot", "Ox", "Pa", "Pc",
      "Pf", "Po", "Pq", "Qc", "Ql", "Qo", "Qq", "Sc", "Sm", "So", "Sq", "St", "Sx", "Sy", "Ta", "Tn", "Ux", "Va",
      "Vt", "Xc", "Xo", "Xr");

  private static final ImmutableMap<String, String[]> ENCLOSURES = ImmutableMap.<String, String[]>builder()
      .put("Op", new String[] {"[", "]"}).put("Bq", new String[] {"[", "]"}).put("Brq", new String[] {"{", "}"})
      .put("Dq", new String[] {"\u201c", "\u201d"}).put("Qq", new String[] {"\"", "\""})
      .put("Sq", new String[] {"\u2018", "\u2019"}).put("Ql", new String[] {"\u2018", "\u2019"})
      .put("Pq", new String[] {"(", ")"}).put("Aq", new String[] {"\u27e8", "\u27e9"})
      .buildOrThrow();

  private static final ImmutableMap<String, String> OPENERS = ImmutableMap.of(
      "Oo", "[", "Bo", "[", "Bro", "{", "Do", "\u201c", "Qo", "\"", "So", "\u2018", "Po", "(", "Ao", "\u27e8");

  private static final ImmutableMap<String, String> CLOSERS = ImmutableMap.of(
      "Oc", "]", "Bc", "]", "Brc", "}", "Dc", "\u201d", "Qc", "\"", "Sc", "\u2019", "Pc", ")", "Ac", "\u27e9");

  private static final ImmutableMap<String, String> SYSTEMS = ImmutableMap.of(
      "Ux", "UNIX", "Bx", "BSD", "Nx", "NetBSD", "Fx", "FreeBSD", "Ox", "OpenBSD", "Dx", "DragonFly",
      "Bsx", "BSD/OS", "At", "AT&T UNIX");

  private static final ImmutableMap<String, String> STANDARDS = ImmutableMap.<String, String>builder()
      .put("-p1003.1", "IEEE Std 1003.1 (\u201cPOSIX.1\u201d)")
      .put("-p1003.1-2001", "IEEE Std 1003.1-2001 (\u201cPOSIX.1\u201d)")
      .put("-p1003.1-2004", "IEEE Std 1003.1-2004 (\u201cPOSIX.1\u201d)")
      .put("-p1003.1-2008", "IEEE Std 1003.1-2008 (\u201cPOSIX.1\u201d)")
      .put("-p1003.2", "IEEE Std 1003.2 (\u201cPOSIX.2\u201d)")
      .put("-ansiC", "ANSI X3.159-1989 (\u201cANSI C89\u201d)")
      .put("-isoC", "ISO/IEC 9899:1990 (\u201cISO C90\u201d)")
      .put("-isoC-99", "ISO/IEC 9899:1999 (\u201cISO C99\u201d)")
      .put("-isoC-2011", "ISO/IEC 9899:2011 (\u201cISO C11\u201d)")
      .put("-susv2", "Version 2 of the Single UNIX Specification (\u201cSUSv2\u201d)")
      .put("-susv3", "Version 3 of the Single UNIX Specification (\u201cSUSv3\u201d)")
      .put("-susv4", "Version 4 of the Single UNIX Specification (\u201cSUSv4\u201d)")
      .put("-xpg4", "X/Open Portability Guide Issue 4 (\u201cXPG4\u201d)")
      .put("-xpg4.2", "X/Open Portability Guide Issue 4, Version 2 (\u201cXPG4.2\u201d)")
      .put("-ieee754", "IEEE Std 754-1985")
      .buildOrThrow();

  private final List<Token> tokens;
  private final String pageName;
  private final RoffState state;
  private final boolean spacing;
  private final StringBuilder out = new StringBuilder();
  private boolean glueNext;

  private MdocLine(List<Token> tokens, String pageName, RoffState state, boolean spacing) {
    this.tokens = tokens;
    this.pageName = pageName;
    this.state = state;
    this.spacing = spacing;
  }

  /**
   * Renders {@code tokens} (a macro line without its leading macro when {@code macro} is null, or with
   * {@code macro} applied to them) as plain text; with {@code spacing} false ({@code .Sm off}) words are
   * not separated.
   */
  static String render(String macro, List<Token> tokens, String pageName, RoffState state,
      boolean spacing) {
    MdocLine line = new MdocLine(tokens, pageName, state, spacing);
    int from = 0;
    if (macro != null && CALLABLE.contains(macro)) {
      from = line.macro(macro, 0, tokens.size());
    }
    line.render(from, tokens.size());
    return line.out.toString();
  }

  private void render(int from, int to) {
    int i = from;
    while (i < to) {
      Token t = tokens.get(i);
      if (isMacro(t)) {
        i = macro(t.raw(), i + 1, to);
      } else {
        plainToken(t);
        i++;
      }
    }
  }

  /** Applies a callable macro whose arguments start at {@code i}; returns the index after what it consumed. */
  private int macro(String name, int i, int to) {
    String[] pair = ENCLOSURES.get(name);
    if (pair != null) {
      int end = to;
      while (end > i && isClosing(tokens.get(end - 1))) {
        end--;
      }
      word(pair[0], false, true);
      render(i, end);
      word(pair[1], true, false);
      return end;
    }
    if (OPENERS.containsKey(name)) {
      word(OPENERS.get(name), false, true);
      return i;
    }
    if (CLOSERS.containsKey(name)) {
      word(CLOSERS.get(name), true, false);
      return i;
    }
    if (SYSTEMS.containsKey(name)) {
      word(SYSTEMS.get(name), false, false);
      return i;
    }
    switch (name) {
      case "Fl" -> {
        int count = 0;
        while (i < to && isPlainWord(tokens.get(i))) {
          word("-" + text(tokens.get(i)), false, false);
          i++;
          count++;
        }
        if (count == 0) {
          word("-", false, false);
        }
        return i;
      }
      case "Xr" -> {
        if (i < to && isPlainWord(tokens.get(i))) {
          String page = text(tokens.get(i));
          i++;
          if (i < to && isPlainWord(tokens.get(i))) {
            page += "(" + text(tokens.get(i)) + ")";
            i++;
          }
          word(page, false, false);
        }
        return i;
      }
      case "Ar" -> {
        if (i >= to || !isPlainWord(tokens.get(i))) {
          word("file ...", false, false);
        }
        return i;
      }
      case "Nm" -> {
        if (i >= to || !isPlainWord(tokens.get(i))) {
          word(pageName, false, false);
        }
        return i;
      }
      case "Ns" -> {
        glueNext = true;
        return i;
      }
      case "Ap" -> {
        word("'", true, true);
        return i;
      }
      case "Pf" -> {
        if (i < to) {
          word(text(tokens.get(i)), false, true);
          i++;
        }
        return i;
      }
      case "Fn" -> {
        if (i >= to || !isPlainWord(tokens.get(i))) {
          return i;
        }
        StringBuilder call = new StringBuilder(text(tokens.get(i))).append('(');
        i++;
        boolean first = true;
        while (i < to && isPlainWord(tokens.get(i))) {
          call.append(first ? "" : ", ").append(text(tokens.get(i)));
          first = false;
          i++;
        }
        word(call.append(')').toString(), false, false);
        return i;
      }
      case "Fo" -> {
        if (i < to) {
          word(text(tokens.get(i)) + "(", false, true);
          i++;
        }
        return i;
      }
      case "Fc" -> {
        word(")", true, false);
        return i;
      }
      case "In" -> {
        if (i < to) {
          word("#include <" + text(tokens.get(i)) + ">", false, false);
          i++;
        }
        return i;
      }
      case "St" -> {
        if (i < to) {
          String raw = text(tokens.get(i));
          String standard = STANDARDS.get(raw);
          word(standard != null ? standard : raw.startsWith("-") ? raw.substring(1) : raw, false, false);
          i++;
        }
        return i;
      }
      case "Lk" -> {
        if (i >= to || !isPlainWord(tokens.get(i))) {
          return i;
        }
        String url = text(tokens.get(i));
        i++;
        if (i < to && isPlainWord(tokens.get(i))) {
          return i; // the link text follows and is printed as words
        }
        word(url, false, false);
        return i;
      }
      case "Sm" -> {
        return i < to && isPlainWord(tokens.get(i)) ? i + 1 : i;
      }
      default -> {
        return i; // font and semantic macros: their arguments print as words
      }
    }
  }

  private void plainToken(Token t) {
    String text = text(t);
    if (isClosing(t)) {
      word(text, true, false);
    } else if (!t.quoted() && (t.raw().equals("(") || t.raw().equals("["))) {
      word(text, false, true);
    } else {
      word(text, false, false);
    }
  }

  private void word(String text, boolean glueLeft, boolean glueRight) {
    if (text.isEmpty()) {
      glueNext |= glueRight;
      return;
    }
    if (out.length() > 0 && !glueLeft && !glueNext && spacing) {
      out.append(' ');
    }
    out.append(text);
    glueNext = glueRight;
  }

  private String text(Token t) {
    return RoffText.plain(t.raw(), state);
  }

  private static boolean isMacro(Token t) {
    return !t.quoted() && CALLABLE.contains(t.raw());
  }

  private static boolean isPlainWord(Token t) {
    return !isMacro(t) && !isClosing(t) && !(!t.quoted() && (t.raw().equals("(") || t.raw().equals("[") || t.raw().equals("|")));
  }

  private static boolean isClosing(Token t) {
    if (t.quoted() || t.raw().length() != 1) {
      return false;
    }
    return ".,:;)]?!".indexOf(t.raw().charAt(0)) >= 0;
  }
}
