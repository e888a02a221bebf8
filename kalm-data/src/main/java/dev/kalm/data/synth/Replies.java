package dev.kalm.data.synth;

import com.google.common.collect.ImmutableList;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * Parses and checks LLM replies. Tolerant of what chat models wrap around JSON: code fences, prose before
 * and after, several JSON values (the first one that passes the checks wins). Every method is total: it
 * never throws on any string (malformed input gives an invalid {@link Validation}). Stateless and thread safe.
 */
public final class Replies {
  private Replies() {}

  /** Shortest accepted instruction, in characters after trimming. */
  public static final int MIN_INSTRUCTION_CHARS = 10;
  /** Longest accepted instruction, in characters after trimming. */
  public static final int MAX_INSTRUCTION_CHARS = 500;
  /** Most JSON start positions ({@code '{'} or {@code '['}) tried in one reply. */
  static final int MAX_CANDIDATES = 256;

  /**
   * The JSON objects and arrays found in a reply, lazily, in order of their first character: every
   * <code>'&#123;'</code> or {@code '['} (at most {@value #MAX_CANDIDATES}) from which a JSON value parses (Gson's
   * lenient syntax; text after the value is ignored), nested ones included, except those inside a double-quoted
   * string of a value found earlier: such a bracket is text, and a lenient parse from it would turn the string's
   * words into a list. Never throws; a null reply counts as empty.
   */
  public static Stream<JsonElement> jsonValues(@Nullable String reply) {
    String text = reply == null ? "" : reply;
    Iterator<JsonElement> it = new Iterator<>() {
      final BitSet inString = new BitSet();
      int from;
      int tried;
      @Nullable JsonElement next;

      @Override
      public boolean hasNext() {
        while (next == null && tried < MAX_CANDIDATES) {
          int start = nextStart(text, from, inString);
          if (start < 0) {
            return false;
          }
          from = start + 1;
          tried++;
          next = parseAt(text, start);
          if (next != null) {
            markStrings(text, start, inString);
          }
        }
        return next != null;
      }

      @Override
      public JsonElement next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        JsonElement e = next;
        next = null;
        return e;
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  private static int nextStart(String text, int from, BitSet inString) {
    for (int i = from; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c == '{' || c == '[') && !inString.get(i)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Sets in {@code inString} the positions inside the double-quoted strings of the value that parsed from
   * {@code start}, tokenizing as Gson's lenient reader does: strings in double or single quotes (backslash
   * escapes the next character), unquoted literals (a quote inside one is a plain character), {@code //},
   * {@code #} and <code>/&#42; &#42;/</code> comments, {@code =>} separators. Single-quoted strings are skipped but
   * not marked: well-formed JSON never uses them, and prose quoting the reply's real JSON in them must not hide it.
   * Sets nothing if the value does not close, which cannot happen for text Gson parsed.
   */
  private static void markStrings(String text, int start, BitSet inString) {
    BitSet found = new BitSet();
    int n = text.length();
    int depth = 0;
    int i = start;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '[' || c == '{') {
        depth++;
        i++;
      } else if (c == ']' || c == '}') {
        i++;
        if (--depth == 0) {
          inString.or(found);
          return;
        }
      } else if (c == '"' || c == '\'') {
        int close = closingQuote(text, i);
        if (close < 0) {
          return;
        }
        if (c == '"') {
          found.set(i + 1, close);
        }
        i = close + 1;
      } else if (c == '#' || text.startsWith("//", i)) {
        while (i < n && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
          i++;
        }
      } else if (text.startsWith("/*", i)) {
        int end = text.indexOf("*/", i + 2);
        if (end < 0) {
          return;
        }
        i = end + 2;
      } else if (c == '=') {
        i += text.startsWith("=>", i) ? 2 : 1;
      } else if (isLiteral(c)) {
        while (i < n && isLiteral(text.charAt(i))) {
          i++;
        }
      } else {
        i++;
      }
    }
  }

  /** The index of the quote closing the string that opens at {@code open}, or -1. */
  private static int closingQuote(String text, int open) {
    char quote = text.charAt(open);
    for (int j = open + 1; j < text.length(); j++) {
      char c = text.charAt(j);
      if (c == '\\') {
        j++;
      } else if (c == quote) {
        return j;
      }
    }
    return -1;
  }

  /** Whether Gson's lenient reader continues an unquoted literal with {@code c}. */
  private static boolean isLiteral(char c) {
    return "/\\;#={}[]:, \t\f\r\n".indexOf(c) < 0;
  }

  private static @Nullable JsonElement parseAt(String text, int start) {
    try {
      StringReader r = new StringReader(text);
      r.skip(start);
      JsonElement e = JsonParser.parseReader(new JsonReader(r));
      return e.isJsonObject() || e.isJsonArray() ? e : null;
    } catch (RuntimeException | java.io.IOException | StackOverflowError e) {
      return null;
    }
  }

  /**
   * Stage-1 instructions: from the JSON value holding the most usable ones, either an array of strings
   * or an object with such an array (field {@code instructions}, else {@code tasks}, else its first
   * array field). Strings are trimmed; those outside [{@value #MIN_INSTRUCTION_CHARS},
   * {@value #MAX_INSTRUCTION_CHARS}] characters and repeats are dropped. Invalid when none is left.
   */
  public static Validation<ImmutableList<String>> instructions(@Nullable String reply) {
    try {
      ImmutableList<String> best = ImmutableList.of();
      boolean sawArray = false;
      for (Iterator<JsonElement> it = jsonValues(reply).iterator(); it.hasNext(); ) {
        JsonArray array = instructionArray(it.next());
        if (array == null) {
          continue;
        }
        sawArray = true;
        Set<String> kept = new LinkedHashSet<>();
        for (JsonElement e : array) {
          if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            String s = e.getAsString().strip();
            if (s.length() >= MIN_INSTRUCTION_CHARS && s.length() <= MAX_INSTRUCTION_CHARS) {
              kept.add(s);
            }
          }
        }
        if (kept.size() > best.size()) {
          best = ImmutableList.copyOf(kept);
        }
      }
      if (!best.isEmpty()) {
        return Validation.valid(best);
      }
      return Validation.invalid(sawArray
          ? "no instruction of " + MIN_INSTRUCTION_CHARS + " to " + MAX_INSTRUCTION_CHARS + " characters in the list"
          : "no JSON list of instructions found");
    } catch (RuntimeException e) {
      return Validation.invalid("cannot read the reply: " + e);
    }
  }

  private static @Nullable JsonArray instructionArray(JsonElement e) {
    if (e.isJsonArray()) {
      return e.getAsJsonArray();
    }
    JsonObject o = e.getAsJsonObject();
    for (String field : new String[] {"instructions", "tasks"}) {
      if (o.get(field) instanceof JsonArray a) {
        return a;
      }
    }
    for (Map.Entry<String, JsonElement> f : o.entrySet()) {
      if (f.getValue().isJsonArray()) {
        return f.getValue().getAsJsonArray();
      }
    }
    return null;
  }

  /**
   * A stage-2 example of the given type: the first JSON object in the reply (or object inside a JSON
   * array) that has the type's {@link TaskType#fields() fields} as non-empty strings (score: a number or
   * numeric string in [0, 5]) within the type's length bounds, with query different from positive and
   * (asymmetric types) hard negative different from positive, after trimming. Invalid otherwise, with the
   * problem of the first object found.
   */
  public static Validation<SynthExample> example(TaskType type, @Nullable String reply) {
    try {
      String firstProblem = null;
      for (Iterator<JsonElement> it = jsonValues(reply).iterator(); it.hasNext(); ) {
        JsonElement e = it.next();
        List<JsonObject> objects = new ArrayList<>();
        if (e.isJsonObject()) {
          objects.add(e.getAsJsonObject());
        } else {
          for (JsonElement item : e.getAsJsonArray()) {
            if (item.isJsonObject()) {
              objects.add(item.getAsJsonObject());
            }
          }
        }
        for (JsonObject o : objects) {
          Validation<SynthExample> v = check(type, o);
          if (v.isValid()) {
            return v;
          }
          if (firstProblem == null) {
            firstProblem = v.problem();
          }
        }
      }
      return Validation.invalid(firstProblem != null ? firstProblem : "no JSON object found");
    } catch (RuntimeException e) {
      return Validation.invalid("cannot read the reply: " + e);
    }
  }

  private static Validation<SynthExample> check(TaskType type, JsonObject o) {
    List<String> f = type.fields();
    String query = text(o, f.get(0));
    String positive = text(o, f.get(1));
    for (int i = 0; i < 2; i++) {
      if ((i == 0 ? query : positive) == null) {
        return Validation.invalid("field '" + f.get(i) + "' missing or not a non-empty string");
      }
    }
    String bad = bounds(f.get(0), query, type.minQueryChars(), type.maxQueryChars());
    if (bad == null) {
      bad = bounds(f.get(1), positive, type.minDocumentChars(), type.maxDocumentChars());
    }
    if (bad != null) {
      return Validation.invalid(bad);
    }
    if (query.equals(positive)) {
      return Validation.invalid("'" + f.get(0) + "' equals '" + f.get(1) + "'");
    }
    return switch (type) {
      case STS -> {
        Double score = score(o.get(f.get(2)));
        yield score == null
            ? Validation.invalid("field 'score' missing or not a number in [0, 5]")
            : Validation.valid(new SynthExample(type, query, positive, null, score));
      }
      case BITEXT -> Validation.valid(new SynthExample(type, query, positive, null, null));
      default -> {
        String negative = text(o, f.get(2));
        if (negative == null) {
          yield Validation.invalid("field '" + f.get(2) + "' missing or not a non-empty string");
        }
        String b = bounds(f.get(2), negative, type.minDocumentChars(), type.maxDocumentChars());
        if (b != null) {
          yield Validation.invalid(b);
        }
        yield negative.equals(positive)
            ? Validation.invalid("'" + f.get(2) + "' equals '" + f.get(1) + "'")
            : Validation.valid(new SynthExample(type, query, positive, negative, null));
      }
    };
  }

  private static @Nullable String text(JsonObject o, String field) {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      return null;
    }
    String s = e.getAsString().strip();
    return s.isEmpty() ? null : s;
  }

  private static @Nullable String bounds(String field, String value, int min, int max) {
    int n = value.length();
    return n >= min && n <= max ? null
        : "field '" + field + "' has " + n + " characters, expected " + min + " to " + max;
  }

  private static @Nullable Double score(@Nullable JsonElement e) {
    if (e == null || !e.isJsonPrimitive()) {
      return null;
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    double d;
    try {
      d = p.isNumber() ? p.getAsDouble() : p.isString() ? Double.parseDouble(p.getAsString().strip()) : Double.NaN;
    } catch (NumberFormatException notNumber) {
      return null;
    }
    return d >= 0 && d <= 5 ? d : null;
  }
}
