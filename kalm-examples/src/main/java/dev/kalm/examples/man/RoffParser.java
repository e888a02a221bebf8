package dev.kalm.examples.man;

import com.google.common.collect.ImmutableSet;
import dev.kalm.examples.man.RoffTokens.Token;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the NAME and DESCRIPTION sections of a manual page written with the man or mdoc macros, as plain
 * text. A best-effort renderer, not a typesetter: fonts, spacing and layout requests vanish; page-defined
 * macros ({@code .de}) are expanded with their arguments (depth and total lines bounded); ignored blocks
 * ({@code .ig}) are skipped; strings ({@code .ds}), number registers ({@code .nr}) and translations
 * ({@code .tr}) apply; conditionals are evaluated as groff's nroff mode would for the simple conditions
 * ({@code n}, {@code t}, {@code !}, string comparisons, {@code d name}, {@code r name}, numeric
 * expressions); unknown requests are dropped. When DESCRIPTION is missing, the first descriptive section
 * stands in. Never throws. Not thread-safe: one instance per page.
 */
final class RoffParser {
  /** What a page says about itself. Empty strings when a part is missing. */
  record Parsed(String name, String summary, String description, boolean redirect) {}

  private static final Pattern NAME_SEPARATOR = Pattern.compile("\\s[-\u2010\u2013\u2014\u2212]{1,2}\\s");
  private static final Pattern NAME_SEPARATOR_LOOSE = Pattern.compile("\\s[-\u2013\u2014]|[-\u2013\u2014]\\s");

  private static final Pattern TABLE_TAB = Pattern.compile("tab\\s*\\(\\s*(\\S)\\s*\\)");
  /** Sections never used in place of a missing DESCRIPTION. */
  private static final ImmutableSet<String> NOT_DESCRIPTIVE = ImmutableSet.of("", "NAME", "SYNOPSIS", "DESCRIPTION",
      "COPYRIGHT", "AUTHOR", "AUTHORS", "SEE ALSO", "BUGS", "REPORTING BUGS", "LICENSE", "AVAILABILITY", "COLOPHON");
  private static final ImmutableSet<String> ALTERNATING = ImmutableSet.of("BR", "BI", "IB", "IR", "RB", "RI");
  private static final ImmutableSet<String> SPACED = ImmutableSet.of("B", "I", "SM", "SB", "SS", "Ss", "SY", "CW");
  private static final ImmutableSet<String> DEFINERS = ImmutableSet.of("de", "de1", "dei", "am", "am1", "ami");
  private static final ImmutableSet<String> MDOC_TEXT = ImmutableSet.of("It", "Dl", "D1", "%A", "%B", "%C", "%D",
      "%I", "%J", "%N", "%O", "%P", "%Q", "%R", "%T", "%U", "%V", "Lb", "Fd");

  private enum Table { NONE, OPTIONS, FORMAT, DATA, TEXT_BLOCK }

  /** Most macro lines run for one page (guards against macros that call each other without end). */
  private static final int MAX_EXPANDED_LINES = 200_000;
  private static final int MAX_MACRO_DEPTH = 16;

  private final int maxWords;
  private final RoffState state = new RoffState();
  private final Map<String, String> macros = new HashMap<>();
  private final Deque<Boolean> ieResults = new ArrayDeque<>();
  private final StringBuilder nameText = new StringBuilder();
  private final StringBuilder summaryText = new StringBuilder();
  private final StringBuilder description = new StringBuilder();
  private final StringBuilder fallback = new StringBuilder();
  private String fallbackSection;
  private final List<String> mdocNames = new ArrayList<>();
  private String section = "";
  private boolean headingPending;
  private boolean joinNext;
  private String skipUntil;
  private String collecting;
  private String collectEnd;
  private StringBuilder collected;
  private int macroDepth;
  private int expandedLines;
  private int braceSkip;
  private Table table = Table.NONE;
  private char tableTab = '\t';
  private String url;
  private boolean done;
  private boolean mdocSpacing = true;
  private int descriptionWords;
  private int fallbackWords;
  private final String fallbackName;

  private RoffParser(String fallbackName, int maxWords) {
    this.fallbackName = fallbackName;
    this.maxWords = maxWords;
  }

  /**
   * Parses a page's source.
   *
   * @param fallbackName the name used when the page has none (the file's name without section)
   * @param maxWords the most words of DESCRIPTION kept
   */
  static Parsed parse(String source, String fallbackName, int maxWords) {
    if (isRedirect(new Lines(source))) {
      return new Parsed(fallbackName, "", "", true);
    }
    RoffParser parser = new RoffParser(fallbackName, maxWords);
    parser.run(new Lines(source));
    return parser.result();
  }

  /** The lines of a text, split at {@code \n}, {@code \r\n} or {@code \r}, produced one at a time. */
  private static final class Lines {
    private final String text;
    private int pos;

    Lines(String text) {
      this.text = text;
    }

    boolean hasNext() {
      return pos <= text.length();
    }

    String next() {
      int n = text.length();
      int end = pos;
      while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
        end++;
      }
      String line = text.substring(pos, end);
      pos = end < n && text.charAt(end) == '\r' && end + 1 < n && text.charAt(end + 1) == '\n' ? end + 2 : end + 1;
      return line;
    }
  }

  /** True when the first line that is neither blank nor a comment is a {@code .so} request. */
  private static boolean isRedirect(Lines lines) {
    while (lines.hasNext()) {
      String t = lines.next().strip();
      if (t.isEmpty() || t.startsWith(".\\\"") || t.startsWith("'\\\"") || t.startsWith("\\\"") || t.equals(".")) {
        continue;
      }
      return t.startsWith(".so ") || t.startsWith(".so\t");
    }
    return false;
  }

  private void run(Lines lines) {
    while (lines.hasNext() && !done) {
      String line = lines.next();
      if (macroDepth > 0 && ++expandedLines > MAX_EXPANDED_LINES) {
        return;
      }
      if (skipUntil == null && braceSkip == 0 && !isMacroEnd(line) && endsWithContinuation(line)) {
        StringBuilder joined = new StringBuilder(line.length() * 2);
        joined.append(line, 0, line.length() - 1);
        while (lines.hasNext()) {
          String next = lines.next();
          if (endsWithContinuation(next)) {
            joined.append(next, 0, next.length() - 1);
          } else {
            joined.append(next);
            break;
          }
        }
        line = joined.toString();
      }
      line(line);
    }
  }

  private boolean isMacroEnd(String line) {
    return collecting != null && isControl(line) && requestName(line.substring(1)).equals(collectEnd);
  }

  private void line(String line) {
    if (collecting != null) {
      if (isMacroEnd(line)) {
        macros.put(collecting, collected.toString());
        collecting = null;
        collected = null;
      } else if (collected.length() < 1_000_000) {
        collected.append(copyMode(line)).append('\n');
      }
      return;
    }
    if (skipUntil != null) {
      if (isControl(line) && requestName(line.substring(1)).equals(skipUntil)) {
        skipUntil = null;
      }
      return;
    }
    if (braceSkip > 0) {
      braceSkip = Math.max(0, braceSkip + braceBalance(line));
      return;
    }
    if (table != Table.NONE && tableLine(line)) {
      return;
    }
    if (isControl(line)) {
      request(line.substring(1));
    } else {
      text(line);
    }
  }

  private static boolean isControl(String line) {
    return !line.isEmpty() && (line.charAt(0) == '.' || line.charAt(0) == '\'');
  }

  // ---- requests and macros ----

  private void request(String rest) {
    String name = requestName(rest);
    int start = indexAfterName(rest);
    String args = rest.substring(start).stripLeading();
    if (name.isEmpty()) {
      return; // ".", ".\" comment", ".\}"
    }
    switch (name) {
      case "SH", "Sh" -> heading(args);
      case "TH", "Dd", "Dt", "Os" -> { }
      case "IP" -> {
        List<Token> tokens = RoffTokens.split(args);
        if (!tokens.isEmpty()) {
          emit(plain(tokens.get(0).raw()), false);
        }
      }
      case "OP" -> {
        String inner = joined(RoffTokens.split(args), " ");
        emit("[" + inner + "]", false);
      }
      case "UR", "MT" -> {
        List<Token> tokens = RoffTokens.split(args);
        url = tokens.isEmpty() ? null : plain(tokens.get(0).raw());
      }
      case "UE", "ME" -> {
        if (url != null && !url.isEmpty()) {
          emit("\u27e8" + url + "\u27e9", false);
        }
        url = null;
        String trailer = joined(RoffTokens.split(args), "");
        if (!trailer.isEmpty()) {
          emit(trailer, true);
        }
      }
      case "ds", "ds1", "as", "as1" -> defineString(name, args);
      case "rm" -> RoffTokens.split(args).forEach(t -> {
        state.strings.remove(t.raw());
        macros.remove(t.raw());
      });
      case "rr" -> RoffTokens.split(args).forEach(t -> state.registers.remove(t.raw()));
      case "nr" -> numberRegister(args);
      case "tr" -> translation(args);
      case "ig" -> {
        List<Token> tokens = RoffTokens.split(args);
        skipUntil = tokens.isEmpty() ? "." : tokens.get(0).raw();
      }
      case "if" -> conditional(args, false, false);
      case "ie" -> conditional(args, true, false);
      case "el" -> conditional(args, false, true);
      case "TS" -> table = Table.OPTIONS;
      case "EQ" -> skipUntil = "EN";
      case "PS" -> skipUntil = "PE";
      case "Nm" -> mdocName(args);
      case "Nd" -> {
        String text = mdoc(null, args);
        if (section.equals("NAME")) {
          append(summaryText, text, false);
        } else {
          emit(text, false);
        }
      }
      case "Sm" -> {
        List<Token> tokens = RoffTokens.split(args);
        mdocSpacing = tokens.isEmpty() ? !mdocSpacing : !tokens.get(0).raw().equals("off");
      }
      case "Ex" -> exitStatus(args, false);
      case "Rv" -> exitStatus(args, true);
      default -> {
        if (DEFINERS.contains(name)) {
          List<Token> tokens = RoffTokens.split(args);
          String end = tokens.size() > 1 ? tokens.get(1).raw() : ".";
          if (tokens.isEmpty()) {
            skipUntil = end;
          } else {
            collecting = tokens.get(0).raw();
            collectEnd = end;
            collected = new StringBuilder(name.startsWith("am") ? macros.getOrDefault(collecting, "") : "");
          }
        } else if (ALTERNATING.contains(name)) {
          macroText(args, "");
        } else if (SPACED.contains(name)) {
          macroText(args, " ");
        } else if (MdocLine.CALLABLE.contains(name) || MDOC_TEXT.contains(name)) {
          emit(mdoc(name, args), false);
        } else if (macros.containsKey(name)) {
          expand(name, args);
        }
        // anything else (layout requests, unknown macros) prints nothing
      }
    }
  }

  /** Runs a page-defined macro with its arguments substituted for {@code \$1}..{@code \$9}, {@code \$*}, {@code \$@}. */
  private void expand(String name, String args) {
    if (macroDepth >= MAX_MACRO_DEPTH || expandedLines >= MAX_EXPANDED_LINES) {
      return;
    }
    List<Token> tokens = RoffTokens.split(args);
    Lines lines = new Lines(substituteArguments(macros.get(name), name, tokens));
    Integer savedCount = state.registers.get(".$");
    state.registers.put(".$", tokens.size());
    macroDepth++;
    try {
      run(lines);
    } finally {
      macroDepth--;
      if (savedCount == null) {
        state.registers.remove(".$");
      } else {
        state.registers.put(".$", savedCount);
      }
    }
  }

  private static String substituteArguments(String body, String name, List<Token> tokens) {
    StringBuilder out = new StringBuilder(body.length());
    int n = body.length();
    int i = 0;
    while (i < n) {
      char c = body.charAt(i);
      if (c != '\\' || i + 1 >= n) {
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 < n && body.charAt(i + 1) == '\\') {
        out.append("\\\\");
        i += 2;
        continue;
      }
      if (i + 2 < n && body.charAt(i + 1) == '$') {
        char a = body.charAt(i + 2);
        int index = -1;
        int next = i + 3;
        if (Character.isDigit(a)) {
          index = a - '0';
        } else if (a == '(' && i + 4 < n) {
          index = parseIndex(body.substring(i + 3, i + 5));
          next = i + 5;
        } else if (a == '[') {
          int close = body.indexOf(']', i + 3);
          index = close < 0 ? -1 : parseIndex(body.substring(i + 3, close));
          next = close < 0 ? n : close + 1;
        } else if (a == '*' || a == '@') {
          for (int k = 0; k < tokens.size(); k++) {
            out.append(k == 0 ? "" : " ").append(a == '@' ? "\"" + tokens.get(k).raw() + "\"" : tokens.get(k).raw());
          }
          i += 3;
          continue;
        }
        if (index == 0) {
          out.append(name);
        } else if (index > 0 && index <= tokens.size()) {
          out.append(tokens.get(index - 1).raw());
        }
        i = next;
        continue;
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  private static int parseIndex(String digits) {
    return digits.matches("\\d{1,3}") ? Integer.parseInt(digits) : -1;
  }

  /** A macro body line as stored: {@code \\} becomes {@code \} (roff's copy mode). */
  private static String copyMode(String line) {
    return line.indexOf('\\') < 0 ? line : line.replace("\\\\", "\\");
  }

  private void numberRegister(String args) {
    List<Token> tokens = RoffTokens.split(args);
    if (tokens.size() < 2) {
      return;
    }
    String name = tokens.get(0).raw();
    String value = plain(tokens.get(1).raw()).strip();
    long v = RoffState.evaluate(value.startsWith("+") || value.startsWith("-") ? value.substring(1) : value);
    long result = value.startsWith("+") ? state.register(name, 0) + v : value.startsWith("-") ? state.register(name, 0) - v : v;
    state.registers.put(name, (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, result)));
    if (tokens.size() > 2) {
      state.increments.put(name, (int) Math.max(-1_000_000, Math.min(1_000_000, RoffState.evaluate(plain(tokens.get(2).raw())))));
    }
  }

  private void translation(String args) {
    List<String> chars = RoffText.characters(RoffText.expandStrings(args.strip(), state));
    for (int i = 0; i + 1 < chars.size(); i += 2) {
      String from = plain(chars.get(i));
      if (from.codePointCount(0, from.length()) == 1) {
        state.translations.put(from.codePointAt(0), plain(chars.get(i + 1)));
      }
    }
  }

  private void heading(String args) {
    List<Token> tokens = RoffTokens.split(args);
    if (tokens.isEmpty()) {
      headingPending = true;
      return;
    }
    setSection(joined(tokens, " "));
  }

  private void setSection(String title) {
    if (section.equals("DESCRIPTION") && description.length() > 0 && nameKnown()) {
      done = true; // nothing after DESCRIPTION is used
    }
    section = title.strip().toUpperCase(Locale.ROOT);
    joinNext = false;
  }

  private boolean nameKnown() {
    return nameText.length() > 0 || summaryText.length() > 0 || !mdocNames.isEmpty();
  }

  private void macroText(String args, String separator) {
    List<Token> tokens = RoffTokens.split(args);
    if (tokens.isEmpty()) {
      return; // the text is on the next line, printed as it comes
    }
    String last = tokens.get(tokens.size() - 1).raw();
    emit(joined(tokens, separator), false);
    joinNext = endsWithJoin(last);
  }

  private void mdocName(String args) {
    List<Token> tokens = RoffTokens.split(args);
    if (section.equals("NAME") && !tokens.isEmpty()) {
      for (Token t : tokens) {
        String word = plain(t.raw()).strip();
        if (!word.isEmpty() && !word.equals(",")) {
          mdocNames.add(word.endsWith(",") ? word.substring(0, word.length() - 1) : word);
        }
      }
      return;
    }
    if (mdocNames.isEmpty() && !tokens.isEmpty()) {
      mdocNames.add(plain(tokens.get(0).raw()).strip());
    }
    emit(mdoc("Nm", args), false);
  }

  private void exitStatus(String args, boolean function) {
    List<String> names = new ArrayList<>();
    for (Token t : RoffTokens.split(args)) {
      if (!t.raw().equals("-std")) {
        names.add(plain(t.raw()));
      }
    }
    String who = names.isEmpty() ? pageName() : String.join(", ", names);
    emit(function
        ? "The " + who + "() function returns the value 0 if successful; otherwise the value -1 is returned and "
            + "the global variable errno is set to indicate the error."
        : "The " + who + " utility exits 0 on success, and >0 if an error occurs.", false);
  }

  private String mdoc(String macro, String args) {
    return MdocLine.render(macro, RoffTokens.split(args), pageName(), state, mdocSpacing);
  }

  private String pageName() {
    return mdocNames.isEmpty() ? fallbackName : mdocNames.get(0);
  }

  private void defineString(String request, String args) {
    int i = 0;
    while (i < args.length() && !Character.isWhitespace(args.charAt(i))) {
      i++;
    }
    String name = args.substring(0, i);
    if (name.isEmpty()) {
      return;
    }
    String value = args.substring(i).stripLeading();
    if (value.startsWith("\"")) {
      value = value.substring(1);
    }
    if (request.startsWith("as")) {
      value = state.strings.getOrDefault(name, "") + value;
    }
    if (value.length() <= 100_000) {
      state.strings.put(name, value);
    }
  }

  // ---- conditionals ----

  private void conditional(String args, boolean remember, boolean isElse) {
    boolean result;
    String body;
    if (isElse) {
      result = !ieResults.isEmpty() && !ieResults.pop();
      body = args;
    } else {
      int[] end = new int[1];
      result = condition(args, end);
      body = args.substring(Math.min(end[0], args.length())).stripLeading();
      if (remember) {
        ieResults.push(result);
        while (ieResults.size() > 64) {
          ieResults.removeLast();
        }
      }
    }
    if (!result) {
      braceSkip = Math.max(0, braceBalance(body));
      return;
    }
    if (body.startsWith("\\{")) {
      body = body.substring(2).stripLeading();
    }
    if (body.isEmpty()) {
      return;
    }
    if (isControl(body)) {
      request(body.substring(1));
    } else {
      text(body);
    }
  }

  /** Evaluates the condition at the start of {@code s}; {@code end[0]} receives the index after it. */
  private boolean condition(String s, int[] end) {
    int n = s.length();
    int i = 0;
    boolean negate = false;
    while (i < n && s.charAt(i) == '!') {
      negate = !negate;
      i++;
    }
    if (i >= n) {
      end[0] = n;
      return negate;
    }
    char c = s.charAt(i);
    boolean result;
    boolean single = i + 1 >= n || Character.isWhitespace(s.charAt(i + 1)) || s.charAt(i + 1) == '\\';
    if ("ntoev".indexOf(c) >= 0 && single) {
      result = c == 'n' || c == 'o';
      i++;
    } else if ("dmrcFS".indexOf(c) >= 0 && i + 1 < n) {
      i++;
      while (i < n && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      String name = s.substring(start, i);
      result = (c == 'd' || c == 'm') && (state.strings.containsKey(name) || macros.containsKey(name))
          || c == 'r' && state.registers.containsKey(name);
    } else if (!Character.isLetterOrDigit(c) && "\\(+-.|".indexOf(c) < 0) {
      int second = s.indexOf(c, i + 1);
      int third = second < 0 ? -1 : s.indexOf(c, second + 1);
      if (third < 0) {
        end[0] = n;
        return false;
      }
      result = plain(s.substring(i + 1, second)).equals(plain(s.substring(second + 1, third)));
      i = third + 1;
    } else {
      int start = i;
      while (i < n && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      result = RoffState.evaluate(plain(s.substring(start, i))) > 0;
    }
    end[0] = i;
    return result != negate;
  }

  /** Number of {@code \{} minus number of {@code \}} escapes in a line ({@code \\} is skipped as a pair). */
  private static int braceBalance(String line) {
    int balance = 0;
    for (int i = 0; i + 1 < line.length(); i++) {
      if (line.charAt(i) == '\\') {
        char e = line.charAt(i + 1);
        balance += e == '{' ? 1 : e == '}' ? -1 : 0;
        i++;
      }
    }
    return balance;
  }

  // ---- tables (tbl) ----

  /** Handles a line inside {@code .TS ... .TE}; returns false when the line is a request to process normally. */
  private boolean tableLine(String line) {
    String t = line.strip();
    if (isControl(t) && (requestName(t.substring(1)).equals("TE"))) {
      table = Table.NONE;
      return true;
    }
    switch (table) {
      case OPTIONS -> {
        table = Table.FORMAT;
        if (t.endsWith(";")) {
          Matcher tab = TABLE_TAB.matcher(t);
          tableTab = tab.find() ? tab.group(1).charAt(0) : '\t';
          return true;
        }
        tableTab = '\t';
        return tableLine(line);
      }
      case FORMAT -> {
        if (t.endsWith(".")) {
          table = Table.DATA;
        }
        return true;
      }
      case TEXT_BLOCK -> {
        if (t.startsWith("T}")) {
          table = Table.DATA;
          String rest = t.substring(2);
          int tab = rest.indexOf(tableTab);
          if (tab >= 0) {
            tableCells(rest.substring(tab + 1));
          }
          return true;
        }
        return false;
      }
      default -> {
        if (isControl(t)) {
          if (requestName(t.substring(1)).equals("T&")) {
            table = Table.FORMAT;
            return true;
          }
          return false;
        }
        tableCells(line);
        return true;
      }
    }
  }

  private void tableCells(String line) {
    String[] cells = line.split(Pattern.quote(String.valueOf(tableTab)), -1);
    for (String cell : cells) {
      String c = cell.strip();
      if (c.equals("T{")) {
        table = Table.TEXT_BLOCK;
        return;
      }
      if (c.isEmpty() || c.equals("_") || c.equals("=") || c.equals("\\_") || c.equals("\\^") || c.equals("^")) {
        continue;
      }
      emit(plain(c), false);
    }
  }

  // ---- text ----

  private void text(String line) {
    if (line.isBlank()) {
      return;
    }
    if (headingPending) {
      headingPending = false;
      setSection(plain(line));
      return;
    }
    boolean join = joinNext;
    emit(plain(line), join);
    joinNext = endsWithJoin(line);
  }

  private void emit(String raw, boolean join) {
    if (raw.isBlank() && !join) {
      return;
    }
    String text = state.translate(raw);
    if (section.equals("NAME")) {
      append(nameText, text, join || joinNext);
    } else if (section.equals("DESCRIPTION")) {
      if (descriptionWords <= maxWords) {
        append(description, text, join || joinNext);
        descriptionWords += countWords(text);
        if (descriptionWords > maxWords) {
          descriptionWords = countWords(description);
          done = descriptionWords > maxWords && nameKnown();
        }
      }
    } else if (description.length() == 0 && !NOT_DESCRIPTIVE.contains(section)) {
      if (fallbackSection == null) {
        fallbackSection = section;
      }
      if (section.equals(fallbackSection) && fallbackWords <= maxWords) {
        append(fallback, text, join || joinNext);
        fallbackWords += countWords(text);
        if (fallbackWords > maxWords) {
          fallbackWords = countWords(fallback);
        }
      }
    }
    joinNext = false;
  }

  private static void append(StringBuilder target, String text, boolean join) {
    if (target.length() > 0 && !join) {
      target.append(' ');
    }
    target.append(text);
  }

  private Parsed result() {
    String summary;
    String name;
    if (summaryText.length() > 0 || !mdocNames.isEmpty()) {
      summary = collapse(summaryText.toString());
      name = mdocNames.isEmpty() ? "" : mdocNames.get(0);
      if (summary.isEmpty() && nameText.length() > 0) {
        String[] split = splitNameLine(collapse(nameText.toString()));
        summary = split[1];
      }
    } else {
      String[] split = splitNameLine(collapse(nameText.toString()));
      name = split[0];
      summary = split[1];
    }
    if (name.isEmpty()) {
      name = fallbackName;
    }
    String text = description.length() > 0 ? description.toString() : fallback.toString();
    return new Parsed(name, summary, firstWords(text, maxWords), false);
  }

  /**
   * Splits a NAME line {@code "ls, dir \- list directory contents"} into the first name ({@code ls}; names
   * may hold spaces, as {@code gcloud compute}) and the summary; without a dash the name is the first word.
   */
  static String[] splitNameLine(String line) {
    Matcher m = NAME_SEPARATOR.matcher(line);
    if (!m.find()) {
      m = NAME_SEPARATOR_LOOSE.matcher(line);
      if (!m.find()) {
        String s = line.strip();
        int space = s.indexOf(' ');
        return new String[] {firstName(space < 0 ? s : s.substring(0, space)), ""};
      }
    }
    return new String[] {firstName(line.substring(0, m.start())), line.substring(m.end()).strip()};
  }

  private static String firstName(String names) {
    String s = names.strip();
    int comma = s.indexOf(',');
    return (comma >= 0 ? s.substring(0, comma) : s).strip();
  }

  // ---- helpers ----

  private String plain(String raw) {
    return RoffText.plain(raw, state);
  }

  private String joined(List<Token> tokens, String separator) {
    StringBuilder b = new StringBuilder();
    for (Token t : tokens) {
      if (b.length() > 0) {
        b.append(separator);
      }
      b.append(plain(t.raw()));
    }
    return b.toString();
  }

  /** A request's name: the characters up to a blank or an escape, after leading blanks. */
  static String requestName(String rest) {
    int start = 0;
    while (start < rest.length() && (rest.charAt(start) == ' ' || rest.charAt(start) == '\t')) {
      start++;
    }
    int end = start;
    while (end < rest.length() && !Character.isWhitespace(rest.charAt(end)) && rest.charAt(end) != '\\') {
      end++;
    }
    return rest.substring(start, end);
  }

  private static int indexAfterName(String rest) {
    int i = 0;
    while (i < rest.length() && (rest.charAt(i) == ' ' || rest.charAt(i) == '\t')) {
      i++;
    }
    while (i < rest.length() && !Character.isWhitespace(rest.charAt(i)) && rest.charAt(i) != '\\') {
      i++;
    }
    return i;
  }

  private static boolean endsWithContinuation(String line) {
    int backslashes = 0;
    for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }

  /** True when the line ends with the {@code \c} escape (the next text continues this word). */
  private static boolean endsWithJoin(String line) {
    String t = line.stripTrailing();
    if (!t.endsWith("\\c")) {
      return false;
    }
    int backslashes = 0;
    for (int i = t.length() - 2; i >= 0 && t.charAt(i) == '\\'; i--) {
      backslashes++;
    }
    return backslashes % 2 == 1;
  }

  static String collapse(String s) {
    return String.join(" ", words(s));
  }

  static String firstWords(String s, int max) {
    List<String> words = words(s);
    return String.join(" ", words.size() > max ? words.subList(0, max) : words);
  }

  static int countWords(CharSequence s) {
    int count = 0;
    boolean inWord = false;
    for (int i = 0; i < s.length(); i++) {
      boolean blank = isBlank(s.charAt(i));
      if (!blank && !inWord) {
        count++;
      }
      inWord = !blank;
    }
    return count;
  }

  static List<String> words(String s) {
    List<String> words = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= s.length(); i++) {
      boolean blank = i == s.length() || isBlank(s.charAt(i));
      if (blank && start >= 0) {
        words.add(s.substring(start, i));
        start = -1;
      } else if (!blank && start < 0) {
        start = i;
      }
    }
    return words;
  }

  private static boolean isBlank(char c) {
    return Character.isWhitespace(c) || c == '\u00a0' || Character.isISOControl(c);
  }
}
