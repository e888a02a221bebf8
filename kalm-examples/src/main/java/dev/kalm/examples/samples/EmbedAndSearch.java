package dev.kalm.examples.samples;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.model.Prompt;
import dev.kalm.data.search.SearchResults;
import dev.kalm.data.search.VectorIndex;
import dev.kalm.data.search.VectorIndexes;
import java.nio.file.Path;
import java.util.List;

/**
 * Sample: embed a few documents, then find the best match for a query.
 *
 * <pre>{@code java -cp ... dev.kalm.examples.samples.EmbedAndSearch <model folder> "how do I list files?"}</pre>
 */
public final class EmbedAndSearch {
  private EmbedAndSearch() {}

  public static void main(String[] args) {
    List<String> documents = List.of(
        "ls lists information about the files in a directory.",
        "grep searches files for lines matching a pattern.",
        "tar saves many files together into a single archive.");
    System.out.println(bestMatch(Path.of(args[0]), documents, args[1]));
  }

  /** The document that answers {@code query} best, by cosine similarity of KaLM embeddings. */
  public static String bestMatch(Path model, List<String> documents, String query) {
    try (Embedder embedder = Embedders.load(model, EmbedderConfig.defaults())) {
      // Documents get no prompt; queries get KaLM's instruction template.
      VectorIndex index = VectorIndexes.exact(embedder.embed(documents, Prompt.none()));
      float[][] q = embedder.embed(List.of(query), Prompt.instruction(Prompt.DEFAULT_RETRIEVAL_TASK));
      SearchResults top = index.search(q, 1);
      return documents.get(top.id(0, 0));
    }
  }
}
