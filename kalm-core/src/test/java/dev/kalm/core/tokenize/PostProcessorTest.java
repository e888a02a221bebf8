package dev.kalm.core.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kalm.core.testing.TestModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folder's {@code tokenizer.json} post-processor decides the special tokens (nothing is hard-coded): with the
 * released Qwen3-Embedding's TemplateProcessing, which appends {@code <|endoftext|>}, every input ends with it, a
 * truncated input keeps it, and the prompt length for {@code include_prompt: false} does not count it.
 */
class PostProcessorTest {
  static final long EOS = 151643;
  @TempDir Path tmp;

  private Path eosTokenizer() throws IOException {
    Path source = TestModels.tokenizer().resolve("tokenizer.json");
    JsonObject json = JsonParser.parseString(Files.readString(source, StandardCharsets.UTF_8)).getAsJsonObject();
    json.add("post_processor", JsonParser.parseString("{\"type\":\"TemplateProcessing\","
        + "\"single\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"SpecialToken\":{\"id\":\"<|endoftext|>\",\"type_id\":0}}],"
        + "\"pair\":[{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},{\"Sequence\":{\"id\":\"B\",\"type_id\":1}},"
        + "{\"SpecialToken\":{\"id\":\"<|endoftext|>\",\"type_id\":1}}],"
        + "\"special_tokens\":{\"<|endoftext|>\":{\"id\":\"<|endoftext|>\",\"ids\":[151643],\"tokens\":[\"<|endoftext|>\"]}}}"));
    Path file = tmp.resolve("tokenizer.json");
    Files.writeString(file, json.toString(), StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void theTemplatesEosIsAppendedKeptOnTruncationAndNotCountedInThePrompt() throws IOException {
    String text = "The grep command searches files for lines that match a pattern.";
    String prompt = "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:";
    long[] plain;
    try (TextTokenizer bundled = TextTokenizer.load(TestModels.tokenizer())) {
      plain = bundled.encode(text);
      assertEquals(bundled.encode(prompt).length, bundled.promptLength(prompt), "no post-processor tokens");
    }
    try (TextTokenizer tokenizer = TextTokenizer.load(eosTokenizer())) {
      long[] ids = tokenizer.encode(text);
      assertEquals(plain.length + 1, ids.length);
      assertEquals(EOS, ids[ids.length - 1]);
      long[] cut = tokenizer.encode(List.of(text), 5)[0];
      long[] expected = Arrays.copyOf(plain, 5);
      expected[4] = EOS;
      assertArrayEquals(expected, cut, "truncation keeps the EOS, as transformers' truncation=True does");
      assertArrayEquals(ids, tokenizer.encode(List.of(text), ids.length)[0]);
      assertEquals(tokenizer.encode(prompt).length - 1, tokenizer.promptLength(prompt));
    }
  }

  @Test
  void truncationKeepsLeadingAndTrailingPostProcessorTokens() {
    long[] ids = {1, 10, 11, 12, 13, 2};
    long[] special = {1, 0, 0, 0, 0, 1};
    assertArrayEquals(new long[] {1, 10, 11, 2}, TextTokenizer.truncate(ids, special, 4));
    assertArrayEquals(ids, TextTokenizer.truncate(ids, special, 6));
    assertArrayEquals(new long[] {1, 10}, TextTokenizer.truncate(ids, special, 2));
    assertArrayEquals(new long[] {10, 11}, TextTokenizer.truncate(new long[] {10, 11, 12}, new long[3], 2));
  }
}
