package dev.kalm.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RepliesTest {
  private static final String TRIPLE = "{\"user_query\": \"how to fix a flat tire\", "
      + "\"positive_document\": \"To fix a flat tire, remove the wheel, find the puncture and patch the tube.\", "
      + "\"hard_negative_document\": \"Tires come in many sizes; the history of the tire begins in the 1840s.\"}";

  @Test
  void acceptsPlainFencedAndWrappedJson() {
    for (String reply : List.of(TRIPLE, "```json\n" + TRIPLE + "\n```", "Sure! Here is the example:\n" + TRIPLE
        + "\nI hope this helps {not json}.", "[" + TRIPLE + "]", "```\n" + TRIPLE + "```")) {
      Validation<SynthExample> v = Replies.example(TaskType.SHORT_LONG, reply);
      assertTrue(v.isValid(), reply + " -> " + v.problem());
      assertEquals("how to fix a flat tire", v.get().query());
      assertTrue(v.get().negative().startsWith("Tires come"));
      assertNull(v.get().score());
    }
  }

  @Test
  void skipsEarlierJsonThatDoesNotFit() {
    String reply = "Keys: {\"a\": 1} and [1, 2]. Answer: " + TRIPLE;
    assertTrue(Replies.example(TaskType.SHORT_LONG, reply).isValid());
  }

  @Test
  void rejectsMalformedJson() {
    Validation<SynthExample> v = Replies.example(TaskType.SHORT_LONG, "{\"user_query\": \"x\", \"positive_document");
    assertFalse(v.isValid());
    assertEquals("no JSON object found", v.problem());
    assertFalse(Replies.example(TaskType.STS, "no json here").isValid());
    assertFalse(Replies.example(TaskType.STS, "").isValid());
    assertFalse(Replies.example(TaskType.STS, null).isValid());
  }

  @Test
  void rejectsMissingEmptyOrNonStringFields() {
    assertProblem(TaskType.SHORT_LONG, "{\"user_query\": \"how to fix a flat tire\", \"positive_document\": "
        + "\"To fix a flat tire, remove the wheel, find the puncture and patch the tube.\"}", "hard_negative_document");
    assertProblem(TaskType.SHORT_LONG, TRIPLE.replace("\"how to fix a flat tire\"", "\"   \""), "user_query");
    assertProblem(TaskType.SHORT_LONG, TRIPLE.replace("\"how to fix a flat tire\"", "42"), "user_query");
    assertProblem(TaskType.BITEXT, "{\"source\": \"Guten Morgen\"}", "target");
  }

  @Test
  void enforcesLengthBoundsAndDistinctness() {
    assertProblem(TaskType.SHORT_LONG, TRIPLE.replace("how to fix a flat tire", "x".repeat(501)), "501 characters");
    assertProblem(TaskType.LONG_SHORT, TRIPLE, "user_query' has 22 characters");
    String same = "{\"user_query\": \"a query that is long enough to pass\", \"positive_document\": "
        + "\"a query that is long enough to pass\", \"hard_negative_document\": \"something else entirely, long\"}";
    assertProblem(TaskType.SHORT_SHORT, same, "equals");
    String negIsPos = "{\"user_query\": \"query\", \"positive_document\": \"the same text\", "
        + "\"hard_negative_document\": \" the same text \"}";
    assertProblem(TaskType.SHORT_SHORT, negIsPos, "'hard_negative_document' equals 'positive_document'");
  }

  @Test
  void stsNeedsAScoreInRange() {
    String ok = "{\"sentence1\": \"The cat sat on the mat.\", \"sentence2\": \"A cat was sitting on the mat.\", "
        + "\"score\": 4.6}";
    Validation<SynthExample> v = Replies.example(TaskType.STS, ok);
    assertTrue(v.isValid(), v.problem());
    assertEquals(4.6, v.get().score());
    assertNull(v.get().negative());
    assertTrue(Replies.example(TaskType.STS, ok.replace("4.6", "\"3\"")).isValid());
    assertProblem(TaskType.STS, ok.replace("4.6", "7"), "score");
    assertProblem(TaskType.STS, ok.replace("4.6", "\"high\""), "score");
    assertProblem(TaskType.STS, ok.replace(", \"score\": 4.6", ""), "score");
  }

  @Test
  void instructionsFromArrayOrObject() {
    String list = "[\"Given a question about taxes, retrieve answers.\", \"short\", "
        + "\"Given a question about taxes, retrieve answers.\", 5, \"Retrieve recipes that use a given spice.\"]";
    Validation<com.google.common.collect.ImmutableList<String>> v = Replies.instructions(list);
    assertEquals(List.of("Given a question about taxes, retrieve answers.", "Retrieve recipes that use a given spice."),
        v.get());
    assertEquals(v.get(), Replies.instructions("```json\n{\"instructions\": " + list + "}\n```").get());
    assertEquals(v.get(), Replies.instructions("{\"tasks\": " + list + ", \"note\": \"x\"}").get());
    assertEquals(v.get(), Replies.instructions("{\"whatever\": " + list + "}").get());
    assertEquals(v.get(), Replies.instructions("See [1]: " + list).get(), "the list with most instructions wins");
    assertFalse(Replies.instructions("[\"short\"]").isValid());
    assertFalse(Replies.instructions("{\"instructions\": ").isValid());
    assertFalse(Replies.instructions("I cannot help with that.").isValid());
  }

  @Test
  void deepNestingDoesNotBreakTheParser() {
    assertFalse(Replies.example(TaskType.STS, "[".repeat(100_000)).isValid());
    assertFalse(Replies.instructions("{\"a\":".repeat(50_000)).isValid());
  }

  private static void assertProblem(TaskType type, String reply, String expected) {
    Validation<SynthExample> v = Replies.example(type, reply);
    assertFalse(v.isValid(), reply);
    assertTrue(v.problem().contains(expected), v.problem());
  }
}
