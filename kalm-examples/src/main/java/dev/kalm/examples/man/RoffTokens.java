package dev.kalm.examples.man;

import java.util.ArrayList;
import java.util.List;

/** Splits a request's argument string into roff arguments. Never throws. */
final class RoffTokens {
  /**
   * One argument as written ({@code raw}, escapes not yet resolved) and whether it was quoted (a quoted
   * argument is never an mdoc macro nor a delimiter).
   */
  record Token(String raw, boolean quoted) {}

  private RoffTokens() {}

  /**
   * Arguments separated by blanks; {@code "a b"} is one argument and {@code ""} inside quotes is a quote
   * character; an escape ({@code \ }, {@code \"}) never separates; a {@code \"} comment ends the list.
   */
  static List<Token> split(String args) {
    List<Token> tokens = new ArrayList<>();
    int n = args.length();
    int i = 0;
    while (i < n) {
      char c = args.charAt(i);
      if (c == ' ' || c == '\t') {
        i++;
        continue;
      }
      if (c == '\\' && i + 1 < n && (args.charAt(i + 1) == '"' || args.charAt(i + 1) == '#')) {
        break; // comment
      }
      StringBuilder raw = new StringBuilder();
      if (c == '"') {
        i++;
        while (i < n) {
          char d = args.charAt(i);
          if (d == '"') {
            if (i + 1 < n && args.charAt(i + 1) == '"') {
              raw.append('"');
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (d == '\\' && i + 1 < n) {
            raw.append(d).append(args.charAt(i + 1));
            i += 2;
            continue;
          }
          raw.append(d);
          i++;
        }
        tokens.add(new Token(raw.toString(), true));
        continue;
      }
      while (i < n) {
        char d = args.charAt(i);
        if (d == ' ' || d == '\t') {
          break;
        }
        if (d == '\\' && i + 1 < n) {
          char e = args.charAt(i + 1);
          if (e == '"' || e == '#') {
            break;
          }
          raw.append(d).append(e);
          i += 2;
          continue;
        }
        raw.append(d);
        i++;
      }
      if (raw.length() > 0) {
        tokens.add(new Token(raw.toString(), false));
      }
    }
    return tokens;
  }
}
