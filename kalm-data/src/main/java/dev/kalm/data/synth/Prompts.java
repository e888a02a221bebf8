package dev.kalm.data.synth;

import com.google.common.collect.ImmutableList;
import dev.kalm.data.synth.llm.ChatMessage;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The prompts of the two stages. Stage 1 (brainstorm): the persona as the system message, the user asks
 * for task instructions of one type as JSON. Stage 2 (generate): no persona; one example for one
 * instruction as a JSON object, with length, clarity and difficulty drawn per example (as in E5-mistral)
 * from a seeded random source so that reruns send the same prompts. Instructions are written in English
 * (as in E5-mistral and KaLM's prompts); the data is in the configured language.
 */
final class Prompts {
  private Prompts() {}

  private static final List<String> QUERY_LENGTHS = List.of("less than 5 words", "5 to 15 words", "at least 10 words");
  private static final List<String> CLARITY = List.of("clear", "understandable with some effort", "ambiguous");
  private static final List<String> DIFFICULTY = List.of("high school", "college", "PhD");
  private static final List<Integer> DOCUMENT_WORDS = List.of(50, 100, 200, 300);
  private static final List<Integer> LONG_WORDS = List.of(100, 200, 300);
  private static final List<String> SENTENCE_WORDS = List.of("5 to 10", "10 to 20", "at least 20");
  private static final List<String> STS_RELATIONS = List.of(
      "says the same as sentence1 in different words",
      "is related to sentence1 but differs from it in some details",
      "is on the same topic as sentence1 but means something different");

  /** Stage 1: persona as system message, request for {@code count} instructions of {@code type}. */
  static ImmutableList<ChatMessage> brainstorm(String persona, TaskType type, int count, SynthConfig config) {
    String about = type == TaskType.BITEXT
        ? "The tasks are about sentences in " + config.language() + " and their " + config.bitextLanguage()
            + " translations."
        : "The tasks are about texts written in " + config.language() + ".";
    String user = "Brainstorm " + count + " text " + kind(type) + " tasks that would be useful to you in your "
        + "work or daily life.\n"
        + "Task type: " + description(type) + "\n"
        + "Example of a task: \"" + example(type, config) + "\"\n\n"
        + "Rules:\n"
        + "- Each task is one sentence in English, written as an instruction (for example starting with "
        + "\"Given ...\" or \"Retrieve ...\"), that says what the input is and what should be found.\n"
        + "- The tasks differ from each other and fit your background and interests.\n"
        + "- " + about + "\n\n"
        + "Reply with only a JSON object of the form {\"instructions\": [\"...\", \"...\"]} holding exactly "
        + count + " strings, and nothing else.";
    return ImmutableList.of(ChatMessage.system("Adopt this persona and think from its point of view: " + persona),
        ChatMessage.user(user));
  }

  /** Stage 2: one example of {@code type} for {@code instruction}; {@code variation} draws the E5-style knobs. */
  static ImmutableList<ChatMessage> generate(TaskType type, String instruction, SynthConfig config,
      SplittableRandom variation) {
    String queryLength = pick(QUERY_LENGTHS, variation);
    String clarity = pick(CLARITY, variation);
    String difficulty = pick(DIFFICULTY, variation);
    int documentWords = pick(DOCUMENT_WORDS, variation);
    int longWords = pick(LONG_WORDS, variation);
    String sentenceWords = pick(SENTENCE_WORDS, variation);
    String keys = switch (type) {
      case SHORT_LONG -> "- \"user_query\": a query for the task of " + queryLength + ", " + clarity + ".\n"
          + "- \"positive_document\": a document of about " + documentWords
          + " words that fully answers or matches the query.\n"
          + "- \"hard_negative_document\": a document of about " + documentWords
          + " words on the same topic, sharing words with the query, that does not answer it.\n";
      case LONG_SHORT -> "- \"user_query\": a text of about " + longWords + " words that is the input of the task.\n"
          + "- \"positive_document\": the correct short output for that input (at most 30 words).\n"
          + "- \"hard_negative_document\": a plausible but wrong short output (at most 30 words).\n";
      case SHORT_SHORT -> "- \"user_query\": an input for the task of " + queryLength + ", " + clarity + ".\n"
          + "- \"positive_document\": a short text (at most 40 words) that is the correct match.\n"
          + "- \"hard_negative_document\": a short text (at most 40 words) that looks similar but is not a match.\n";
      case LONG_LONG -> "- \"user_query\": a text of about " + longWords + " words that is the input of the task.\n"
          + "- \"positive_document\": a text of about " + longWords + " words that is the correct match.\n"
          + "- \"hard_negative_document\": a text of about " + longWords
          + " words on a similar topic that is not a match.\n";
      case STS -> "- \"sentence1\": a sentence of " + sentenceWords + " words.\n"
          + "- \"sentence2\": a sentence that " + pick(STS_RELATIONS, variation) + ".\n"
          + "- \"score\": a number from 0 (unrelated) to 5 (same meaning) rating how close the two sentences are "
          + "in meaning.\n";
      case BITEXT -> "- \"source\": a sentence of " + sentenceWords + " words in " + config.language() + ".\n"
          + "- \"target\": its faithful translation into " + config.bitextLanguage() + ".\n";
    };
    String language = type == TaskType.BITEXT
        ? "Write \"source\" in " + config.language() + " and \"target\" in " + config.bitextLanguage() + "."
        : "Write all texts in " + config.language() + ".";
    String user = "You have been assigned a task: " + instruction + "\n\n"
        + "Write one example for this task. Reply with only a JSON object with exactly these keys:\n"
        + keys + "\n"
        + "Requirements:\n"
        + "- " + language + "\n"
        + "- The texts are self-contained and realistic, and need " + difficulty + " level education to understand.\n"
        + "- Do not copy the task wording into the texts. No explanations, no other keys.";
    return ImmutableList.of(ChatMessage.user(user));
  }

  private static <T> T pick(List<T> options, SplittableRandom random) {
    return options.get(random.nextInt(options.size()));
  }

  private static String kind(TaskType type) {
    return switch (type) {
      case STS -> "similarity";
      case BITEXT -> "translation matching";
      default -> "matching";
    };
  }

  private static String description(TaskType type) {
    return switch (type) {
      case SHORT_LONG -> "retrieval: a short query (a question or a few keywords) is used to find long documents "
          + "(passages, articles, web pages, posts) that answer or match it.";
      case LONG_SHORT -> "a long text (a document, review, report or message) is matched to a short text such as "
          + "its category label, title, summary sentence or answer.";
      case SHORT_SHORT -> "a short text (a question, title, keyword or sentence) is matched to another short text "
          + "such as a related question, a title, a tag or a short answer.";
      case LONG_LONG -> "a long text (an article, report, abstract or post) is matched to another long text that is "
          + "similar to it, continues it or is cited by it.";
      case STS -> "semantic textual similarity: judging how close in meaning two sentences from some domain are.";
      case BITEXT -> "bitext mining: finding the translation of a sentence from some domain.";
    };
  }

  private static String example(TaskType type, SynthConfig config) {
    return switch (type) {
      case SHORT_LONG -> "Given a question about a medication, retrieve package-leaflet passages that answer it.";
      case LONG_SHORT -> "Given a customer complaint email, retrieve the name of the department that should handle it.";
      case SHORT_SHORT -> "Given a recipe title, retrieve titles of recipes that could replace it.";
      case LONG_LONG -> "Given a scientific abstract, retrieve abstracts of papers that study the same problem.";
      case STS -> "Retrieve sentences about consumer electronics that are semantically similar to the given sentence.";
      case BITEXT -> "Retrieve the " + config.bitextLanguage() + " translation of a " + config.language()
          + " sentence from a rental contract.";
    };
  }
}
