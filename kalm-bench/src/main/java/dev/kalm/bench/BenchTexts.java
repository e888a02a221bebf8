package dev.kalm.bench;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import dev.kalm.examples.man.ManPage;
import dev.kalm.examples.man.ManPages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The benchmark's texts, made from the manual pages installed on this machine: documents are DESCRIPTION
 * sections cut to {@value #DOCUMENT_WORDS} words (about 50-300 Qwen2 tokens), queries are the one-line
 * NAME summaries (about 5-20 tokens). Pages are taken evenly spread over the sorted list of usable pages,
 * gcloud's templated pages left out, so the choice is deterministic for a given machine image.
 * Files hold one text per line (whitespace collapsed).
 */
final class BenchTexts {
  static final int DOCUMENT_WORDS = 80;

  private BenchTexts() {}

  /** Writes {@code documents.txt} and {@code queries.txt} with {@code count} texts each into {@code folder}. */
  static void write(Path folder, int count) {
    checkArgument(count >= 1, "count must be >= 1, got %s", count);
    List<ManPage> pages = new ArrayList<>();
    for (ManPage page : ManPages.usable(ManPages.read(ManPages.systemRoots(), DOCUMENT_WORDS).pages(), 40)) {
      if (!page.name().startsWith("gcloud")) {
        pages.add(page);
      }
    }
    checkArgument(pages.size() >= count, "only %s usable manual pages on this machine, %s asked for", pages.size(), count);
    List<String> documents = new ArrayList<>(count);
    List<String> queries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ManPage page = pages.get((int) ((long) i * pages.size() / count));
      documents.add(oneLine(page.description()));
      queries.add(oneLine(page.name() + ": " + page.summary()));
    }
    try {
      Files.createDirectories(folder);
      Files.write(folder.resolve("documents.txt"), documents, StandardCharsets.UTF_8);
      Files.write(folder.resolve("queries.txt"), queries, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The texts of a file written by {@link #write}. */
  static ImmutableList<String> read(Path file) {
    try {
      return ImmutableList.copyOf(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String oneLine(String text) {
    return String.join(" ", Arrays.asList(text.trim().split("\\s+")));
  }
}
