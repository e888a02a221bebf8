package dev.kalm.core.internal.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one strict JSON parser of kalm: every JSON file and line kalm reads (JSON Lines, {@code config.json},
 * {@code modules.json}, tokenizer and sentence-transformers settings, safetensors headers) goes through it.
 *
 * <p>Strict means RFC 8259 as Gson's {@link Strictness#STRICT} reads it: names and strings in double quotes,
 * no {@code NaN}/{@code Infinity}, no comments, no trailing commas, no unquoted words, exactly one value per
 * text. On top of that a duplicate name within one object is rejected, and bytes that are not UTF-8 are
 * reported (never replaced by U+FFFD). Numbers keep their exact decimal value ({@link BigDecimal}), so a reader
 * can range-check them before narrowing; a number whose magnitude is beyond 10^&plusmn;400 (outside double's
 * range) or longer than 1000 characters is rejected. Nesting is limited by Gson's default (255 levels).
 *
 * <p>Errors are {@link Malformed} with the 1-based line and a problem text (column and reason); callers wrap
 * them into their own exception naming the file ({@code JsonLinesException}, {@code ModelFormatException},
 * {@code SafetensorsException}). Stateless and thread-safe.
 *
 * <pre>{@code
 * JsonElement config = StrictJson.readFile(Path.of("model/config.json"));
 * }</pre>
 */
public final class StrictJson {
  private static final Pattern GSON_POSITION = Pattern.compile("^(.*?) at line (\\d+) column (\\d+) path .*", Pattern.DOTALL);
  /** The start of the problem text of bytes that are not UTF-8. */
  public static final String NOT_UTF8 = "not valid UTF-8";
  private static final int SNIPPET = 20;
  /** Numbers beyond 10^±400 are outside double's range anyway; the cap keeps narrowing them cheap. */
  private static final int MAX_MAGNITUDE = 400;
  private static final int MAX_NUMBER_CHARS = 1000;

  private StrictJson() {}

  /** Text that is not strict JSON or not UTF-8: {@link #line()} and a {@link #problem()} without file name. */
  public static final class Malformed extends RuntimeException {
    private final long line;
    private final String problem;

    Malformed(long line, String problem) {
      super("line " + line + ": " + problem);
      this.line = line;
      this.problem = problem;
    }

    /** The 1-based line of the problem. */
    public long line() {
      return line;
    }

    /** What is wrong, with the column where known, e.g. {@code invalid JSON at column 10 near 'oops}': ...}. */
    public String problem() {
      return problem;
    }
  }

  /**
   * Parses {@code text} as exactly one strict JSON value.
   *
   * @throws Malformed for anything that is not one strict JSON value (including empty text and a repeated name)
   */
  public static JsonElement parse(String text) {
    JsonReader reader = new JsonReader(new StringReader(text));
    reader.setStrictness(Strictness.STRICT);
    try {
      JsonElement value = value(reader, text);
      if (reader.peek() != JsonToken.END_DOCUMENT) { // a strict reader throws first; kept as the contract's guard
        throw translate("a second value follows" + position(reader), text, null);
      }
      return value;
    } catch (EOFException e) {
      throw translate(e.getMessage(), text, "unexpected end of input (truncated?)");
    } catch (IOException e) {
      throw translate(e.getMessage(), text, null);
    }
  }

  /**
   * What a JSON value is, for error messages: {@code null}, {@code an array}, {@code an object},
   * {@code a boolean}, {@code a number} or {@code a string}; with {@code showValue} a primitive's value follows
   * in parentheses ({@code a number (3)}).
   */
  public static String kind(JsonElement e, boolean showValue) {
    if (e.isJsonNull()) {
      return "null";
    }
    if (e.isJsonArray()) {
      return "an array";
    }
    if (e.isJsonObject()) {
      return "an object";
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    String kind = p.isBoolean() ? "a boolean" : p.isNumber() ? "a number" : "a string";
    return showValue ? kind + " (" + p + ")" : kind;
  }

  /**
   * Replaces, in place, every NaN or infinite number inside {@code json} by {@code null}, so that output files stay
   * JSON (which has no NaN) whatever a computation produced; returns {@code json}. Writers use it on reports whose
   * numbers may be undefined (a rate over zero seconds, a diverged loss).
   */
  public static JsonElement nullForNonFinite(JsonElement json) {
    if (json.isJsonObject()) {
      json.getAsJsonObject().entrySet().forEach(e -> e.setValue(nullForNonFinite(e.getValue())));
    } else if (json.isJsonArray()) {
      JsonArray array = json.getAsJsonArray();
      for (int i = 0; i < array.size(); i++) {
        array.set(i, nullForNonFinite(array.get(i)));
      }
    } else if (json.isJsonPrimitive() && json.getAsJsonPrimitive().isNumber()
        && !Double.isFinite(json.getAsDouble())) {
      return JsonNull.INSTANCE;
    }
    return json;
  }

  /**
   * Decodes UTF-8 strictly. A leading byte order mark is dropped.
   *
   * @throws Malformed naming the line (counted by {@code \n}) and byte of the first invalid sequence
   */
  public static String decodeUtf8(byte[] bytes) {
    return dropByteOrderMark(decodeUtf8(bytes, 0, bytes.length, 1, StandardCharsets.UTF_8.newDecoder()));
  }

  /** {@code text} without a leading U+FEFF. */
  public static String dropByteOrderMark(String text) {
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /**
   * Reads a whole file as strict UTF-8 and parses it with {@link #parse}.
   *
   * @throws IOException when the file cannot be read
   * @throws Malformed when it is not UTF-8 or not one strict JSON value
   */
  public static JsonElement readFile(Path file) throws IOException {
    return parse(decodeUtf8(Files.readAllBytes(file)));
  }

  /**
   * Decodes {@code length} bytes at {@code offset}, which start line {@code firstLine}; {@code decoder} is reset
   * and reused (one per thread).
   */
  public static String decodeUtf8(byte[] bytes, int offset, int length, long firstLine, CharsetDecoder decoder) {
    decoder.reset().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
    CharBuffer out = CharBuffer.allocate(length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int bad = in.position();
      long line = firstLine;
      int lineStart = offset;
      for (int i = offset; i < bad; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      throw new Malformed(line, String.format(NOT_UTF8 + ": byte 0x%02x at byte %d of the line",
          bytes[bad] & 0xff, bad - lineStart + 1));
    }
    return out.flip().toString();
  }

  private static JsonElement value(JsonReader reader, String text) throws IOException {
    switch (reader.peek()) {
      case BEGIN_OBJECT -> {
        JsonObject object = new JsonObject();
        reader.beginObject();
        while (reader.hasNext()) {
          String name = reader.nextName();
          if (object.has(name)) {
            throw translate("duplicate name '" + name + "'" + position(reader), text, null);
          }
          object.add(name, value(reader, text));
        }
        reader.endObject();
        return object;
      }
      case BEGIN_ARRAY -> {
        JsonArray array = new JsonArray();
        reader.beginArray();
        while (reader.hasNext()) {
          array.add(value(reader, text));
        }
        reader.endArray();
        return array;
      }
      case STRING -> {
        return new JsonPrimitive(reader.nextString());
      }
      case NUMBER -> {
        String where = position(reader);
        String digits = reader.nextString();
        BigDecimal number = digits.length() <= MAX_NUMBER_CHARS ? new BigDecimal(digits) : null;
        if (number == null || Math.abs((long) number.precision() - number.scale()) > MAX_MAGNITUDE) {
          throw translate("number out of range (more than " + MAX_MAGNITUDE + " decimal digits of magnitude or "
              + MAX_NUMBER_CHARS + " characters)" + where, text, null);
        }
        return new JsonPrimitive(number);
      }
      case BOOLEAN -> {
        return new JsonPrimitive(reader.nextBoolean());
      }
      case NULL -> {
        reader.nextNull();
        return JsonNull.INSTANCE;
      }
      default -> throw translate("unexpected " + reader.peek() + position(reader), text, null);
    }
  }

  /** Gson's {@code " at line L column C path P"} suffix for a message built here. */
  private static String position(JsonReader reader) {
    String where = reader.toString(); // "JsonReader at line L column C path P"
    int at = where.indexOf(" at line ");
    return at < 0 ? "" : where.substring(at);
  }

  /** Gson's message to a {@link Malformed} with line, column and a reason a user can act on. */
  private static Malformed translate(String gsonMessage, String text, String reasonOverride) {
    Matcher m = GSON_POSITION.matcher(gsonMessage == null ? "" : gsonMessage);
    if (!m.matches()) {
      return new Malformed(1, "invalid JSON: " + (reasonOverride != null ? reasonOverride : gsonMessage));
    }
    long line = Long.parseLong(m.group(2));
    int column = Integer.parseInt(m.group(3));
    String reason = reasonOverride != null ? reasonOverride : m.group(1);
    if (reason.startsWith("Use JsonReader.setStrictness")) {
      reason = "not JSON (names and strings need double quotes; NaN, comments, trailing commas and a second value"
          + " are not allowed)";
    } else if (!reason.isEmpty()) {
      reason = Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }
    String near = near(text, line, column);
    return new Malformed(line, "invalid JSON at column " + column + (near.isEmpty() ? "" : " near '" + near + "'")
        + ": " + reason);
  }

  /** Up to {@value #SNIPPET} characters of {@code text} from one before the (1-based) line and column. */
  private static String near(String text, long line, int column) {
    int start = 0;
    for (long l = 1; l < line; l++) {
      int nl = text.indexOf('\n', start);
      if (nl < 0) {
        return "";
      }
      start = nl + 1;
    }
    int end = text.indexOf('\n', start);
    String lineText = end < 0 ? text.substring(start) : text.substring(start, end);
    int from = Math.max(0, Math.min(lineText.length(), column - 2));
    String snippet = lineText.substring(from, Math.min(lineText.length(), from + SNIPPET)).strip();
    StringBuilder printable = new StringBuilder();
    snippet.codePoints().forEach(c -> printable.append(Character.isISOControl(c) ? "\\u" + String.format("%04x", c)
        : new String(Character.toChars(c))));
    return printable.toString();
  }
}
