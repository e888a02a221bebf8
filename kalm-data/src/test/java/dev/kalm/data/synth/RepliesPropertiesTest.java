package dev.kalm.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class RepliesPropertiesTest {
  private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  private static final Gson COMPACT = new Gson();

  @Property(tries = 500)
  void neverThrowsOnArbitraryText(@ForAll String reply, @ForAll TaskType type) {
    Replies.example(type, reply);
    Replies.instructions(reply);
  }

  @Property(tries = 500)
  void neverThrowsOnJsonLikeText(@ForAll("jsonish") String reply, @ForAll TaskType type) {
    Replies.example(type, reply);
    Replies.instructions(reply);
    Replies.jsonValues(reply).count();
  }

  @Property(tries = 500)
  void acceptsEveryWellFormedExample(@ForAll TaskType type, @ForAll("words") String a, @ForAll("words") String b,
      @ForAll("words") String c, @ForAll @IntRange(min = 0, max = 50) int score10, @ForAll boolean pretty,
      @ForAll("wrapping") Wrapping wrap) {
    String query = fit("Q " + a, type.minQueryChars(), type.maxQueryChars());
    String positive = fit("P " + b, type.minDocumentChars(), type.maxDocumentChars());
    String negative = fit("N " + c, type.minDocumentChars(), type.maxDocumentChars());
    JsonObject o = new JsonObject();
    List<String> f = type.fields();
    o.addProperty(f.get(0), query);
    o.addProperty(f.get(1), positive);
    if (type == TaskType.STS) {
      o.addProperty("score", score10 / 10.0);
    } else if (!type.symmetric()) {
      o.addProperty(f.get(2), negative);
    }
    String reply = wrap.apply((pretty ? PRETTY : COMPACT).toJson(o));
    Validation<SynthExample> v = Replies.example(type, reply);
    assertTrue(v.isValid(), () -> v.problem() + " for " + reply);
    assertEquals(query.strip(), v.get().query());
    assertEquals(positive.strip(), v.get().positive());
  }

  @Property(tries = 300)
  void acceptsEveryWellFormedInstructionList(@ForAll("instructionLists") List<String> list, @ForAll boolean wrapped,
      @ForAll("listWrapping") Wrapping wrap) {
    JsonArray array = new JsonArray();
    list.forEach(array::add);
    JsonObject o = new JsonObject();
    o.add("instructions", array);
    String reply = wrap.apply(wrapped ? o.toString() : array.toString());
    Validation<com.google.common.collect.ImmutableList<String>> v = Replies.instructions(reply);
    assertTrue(v.isValid(), () -> v.problem() + " for " + reply);
    assertEquals(list.stream().map(String::strip).distinct().toList(), v.get());
  }

  /** Prose (which may contain braces and brackets) and code fences around a JSON text. */
  record Wrapping(String before, String after, boolean fence) {
    String apply(String json) {
      String body = fence ? "```json\n" + json + "\n```" : json;
      return before + body + after;
    }
  }

  @Provide
  Arbitrary<Wrapping> wrapping() {
    Arbitrary<String> prose = Arbitraries.strings().withChars("abc xyz.,:!?{}[]()\n\"'").ofMaxLength(40);
    return Combinators.combine(prose, prose, Arbitraries.of(true, false)).as(Wrapping::new);
  }

  /** Prose without brackets or quotes: a list in the prose could legitimately compete with the real one. */
  @Provide
  Arbitrary<Wrapping> listWrapping() {
    Arbitrary<String> prose = Arbitraries.strings().withChars("abc xyz.,:!?{}()\n'").ofMaxLength(40);
    return Combinators.combine(prose, prose, Arbitraries.of(true, false)).as(Wrapping::new);
  }

  @Provide
  Arbitrary<String> words() {
    return Arbitraries.strings().withCharRange('a', 'z').withChars(' ', '\n', '"', '\\', '{', '}', 'é', '中', '文')
        .ofMinLength(1).ofMaxLength(300);
  }

  @Provide
  Arbitrary<List<String>> instructionLists() {
    return Arbitraries.strings().withCharRange('a', 'z').withChars(' ', '"', '[', ']', '{', '}', ',')
        .ofMinLength(Replies.MIN_INSTRUCTION_CHARS).ofMaxLength(Replies.MAX_INSTRUCTION_CHARS)
        .filter(s -> s.strip().length() >= Replies.MIN_INSTRUCTION_CHARS)
        .list().ofMinSize(1).ofMaxSize(12);
  }

  @Provide
  Arbitrary<String> jsonish() {
    return Arbitraries.strings().withChars("{}[]\":,0123456789.eE-+ abtrulfsn\\/\n`").ofMaxLength(120);
  }

  /** Pads or cuts {@code s} so that its trimmed length lies within [min, max]. */
  private static String fit(String s, int min, int max) {
    String t = s.strip();
    while (t.length() < min) {
      t = t + " pad";
    }
    return t.length() > max ? t.substring(0, max).strip() : t;
  }
}
