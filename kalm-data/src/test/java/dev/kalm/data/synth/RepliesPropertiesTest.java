package dev.kalm.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.arbitraries.StringArbitrary;
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

  /** Counterexample of acceptsEveryWellFormedInstructionList: the bracket inside the string parsed as a list. */
  @Example
  void bracketsInsideAnInstructionAreText() {
    List<String> one = List.of("[aaaaaaaaaa,aaaaaaaaa");
    for (String reply : List.of("```json\n{\"instructions\":[\"[aaaaaaaaaa,aaaaaaaaa\"]}\n```",
        "[\"[aaaaaaaaaa,aaaaaaaaa\"]")) {
      assertEquals(one, Replies.instructions(reply).get(), reply);
    }
  }

  /** Before the fix, the single-quoted object inside the string parsed leniently and was taken as the example. */
  @Example
  void objectsInsideAStringAreText() {
    String reply = "{\"sentence1\": \"{'sentence1': 'The cat sat on the mat.', 'sentence2': 'A cat sat there.', "
        + "'score': 4}\", \"sentence2\": \"no score here\"}";
    assertEquals(1, Replies.jsonValues(reply).count(), reply);
    assertFalse(Replies.example(TaskType.STS, reply).isValid(), reply);
    assertEquals(3, Replies.jsonValues("[{\"a\": [1]}]").count(), "structural nesting still counts");
  }

  /** A single-quoted string in prose is skipped, but the double-quoted JSON inside it is still read. */
  @Example
  void singleQuotedProseDoesNotHideTheList() {
    String json = "[\"[aaaaaaaaaa,bbbbbbbbbb]\", \"cccccccccccc\"]";
    assertEquals(List.of("[aaaaaaaaaa,bbbbbbbbbb]", "cccccccccccc"), Replies.instructions("{x:'" + json + "'}").get());
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

  /**
   * Instructions with brackets, quotes and JSON punctuation in them, a third of them holding a bracketed list of
   * long words (bare or single-quoted), the shape that a parse starting inside the string reads as a longer list.
   */
  @Provide
  Arbitrary<List<String>> instructionLists() {
    StringArbitrary bracketChars =
        Arbitraries.strings().withCharRange('a', 'z').withChars(' ', '"', '[', ']', '{', '}', ',');
    Arbitrary<String> brackets = bracketChars.ofMaxLength(Replies.MAX_INSTRUCTION_CHARS);
    Arbitrary<String> punctuation = Arbitraries.strings().withCharRange('a', 'z')
        .withChars(' ', '\n', '"', '\'', '\\', '[', ']', '{', '}', ',', ':', '/', '*', '#', '=')
        .ofMaxLength(Replies.MAX_INSTRUCTION_CHARS);
    Arbitrary<String> words = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(Replies.MIN_INSTRUCTION_CHARS)
        .ofMaxLength(20).list().ofMinSize(1).ofMaxSize(15)
        .flatMap(w -> Arbitraries.of("", "'").map(q -> "[" + q + String.join(q + "," + q, w) + q + "]"));
    Arbitrary<String> embedded = Combinators.combine(bracketChars.ofMaxLength(20), words, bracketChars.ofMaxLength(20))
        .as((a, w, b) -> a + w + b);
    return Arbitraries.oneOf(brackets, punctuation, embedded)
        .filter(s -> s.strip().length() >= Replies.MIN_INSTRUCTION_CHARS && s.length() <= Replies.MAX_INSTRUCTION_CHARS)
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
