package dev.kalm.examples.cli;

import com.google.common.base.Preconditions;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.jsonl.Utf8LineReader;
import dev.kalm.core.model.Prompt;
import dev.kalm.data.search.CorpusDocument;
import dev.kalm.data.search.EmbeddingIndex;
import dev.kalm.data.search.IndexFingerprint;
import dev.kalm.data.search.SearchResults;
import dev.kalm.examples.console.ProgressBar;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kalm search}: embeds a JSON Lines corpus once into an index file next to it (rebuilt when the
 * model, the corpus or the settings change), then answers queries from the arguments or standard input.
 */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Search a JSON Lines corpus by meaning.",
    description = {"The corpus ({\"text\": ..., optional \"id\"/\"_id\", \"title\"} per line) is embedded once "
        + "into an index file, reused while model, corpus and settings are unchanged. Queries come from the "
        + "arguments, else one per line from standard input.",
        "Output per query: a line 'query: TEXT', then 'rank<TAB>score<TAB>id<TAB>snippet' lines, then a blank line."})
final class SearchCommand implements Callable<Integer> {
  private static final int SNIPPET_CHARS = 100;

  @Mixin ModelOptions modelOptions;

  @Mixin BatchOptions batchOptions;

  @Mixin AttentionOption attentionOption;

  @Option(names = "--corpus", required = true, paramLabel = "FILE",
      description = "JSON Lines documents: \"text\" (required), \"title\", \"id\" or \"_id\" (default: the line number).")
  Path corpus;

  @Option(names = "--index", paramLabel = "FILE",
      description = "Index file (default: <corpus>" + EmbeddingIndex.SUFFIX + " next to the corpus).")
  Path index;

  @Option(names = "--top-k", defaultValue = "10", paramLabel = "N", description = "Results per query (default: ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--query-instruction", defaultValue = Prompt.DEFAULT_RETRIEVAL_TASK, paramLabel = "TEXT",
      description = {"Task put on queries as 'Instruct: TEXT \\n Query: ...'; '' for none",
          "(default: ${DEFAULT-VALUE})."})
  String queryInstruction;

  @Parameters(paramLabel = "QUERY", arity = "0..*", description = "queries (default: one per line from standard input)")
  List<String> queries = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    Preconditions.checkArgument(topK >= 1, "--top-k must be >= 1, got %s", topK);
    for (int i = 0; i < queries.size(); i++) {
      Preconditions.checkArgument(!queries.get(i).isBlank(), "QUERY %s is empty (an empty text has no embedding)", i + 1);
    }
    PrintStream err = System.err;
    List<CorpusDocument> documents = CorpusDocument.readJsonl(corpus);
    Preconditions.checkArgument(!documents.isEmpty(), "corpus %s holds no documents", corpus);
    Path indexFile = index != null ? index : corpus.resolveSibling(corpus.getFileName() + EmbeddingIndex.SUFFIX);
    if (!Files.isRegularFile(indexFile)) {
      OutputPaths.checkFile(index != null ? "--index" : "index", indexFile);
    }
    Prompt queryPrompt = queryInstruction.isEmpty() ? Prompt.none() : Prompt.instruction(queryInstruction);
    try (Embedder embedder = Embedders.load(modelOptions.model, modelOptions.configBuilder(batchOptions)
        .attention(attentionOption.attention()).build())) {
      IndexFingerprint current = IndexFingerprint.of(modelOptions.model, corpus, embedder.config());
      ProgressBar bar = ProgressBar.stderr("index");
      long start = System.nanoTime();
      EmbeddingIndex.Opened opened = EmbeddingIndex.openOrBuild(indexFile, documents, current, embedder, bar);
      EmbeddingIndex found = opened.index();
      if (opened.built()) {
        bar.finish();
        err.printf(Locale.ROOT, "built index %s (%s): %d documents, dimension %d, in %.1f s%n", indexFile,
            opened.reason(), found.size(), found.dimension(), (System.nanoTime() - start) / 1e9);
      } else {
        err.printf(Locale.ROOT, "using index %s: %d documents, dimension %d%n", indexFile, found.size(), found.dimension());
      }
      PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
      if (!queries.isEmpty()) {
        answer(embedder, found, documents, queryPrompt, queries, out);
      } else {
        Utf8LineReader in = new Utf8LineReader(System.in, "stdin");
        String line;
        while ((line = SignalStop.waitingForInput(in::readLine)) != null) {
          if (!line.isBlank()) {
            answer(embedder, found, documents, queryPrompt, List.of(line.strip()), out);
          }
        }
      }
      out.flush();
    }
    return 0;
  }

  private void answer(Embedder embedder, EmbeddingIndex found, List<CorpusDocument> documents, Prompt prompt,
      List<String> texts, PrintWriter out) {
    SearchResults results = found.search(embedder.embed(texts, prompt), topK);
    for (int q = 0; q < texts.size(); q++) {
      out.println("query: " + texts.get(q));
      for (int rank = 0; rank < results.count(q); rank++) {
        CorpusDocument doc = documents.get(results.id(q, rank));
        out.printf(Locale.ROOT, "%d\t%.4f\t%s\t%s%n", rank + 1, results.score(q, rank), doc.id(), snippet(doc));
      }
      out.println();
    }
    out.flush();
  }

  /** Title and text on one line, whitespace collapsed, cut to about 100 characters at a word boundary. */
  static String snippet(CorpusDocument doc) {
    String text = doc.embeddingText().strip().replaceAll("\\s+", " ");
    if (text.length() <= SNIPPET_CHARS) {
      return text;
    }
    int cut = text.lastIndexOf(' ', SNIPPET_CHARS);
    return text.substring(0, cut > SNIPPET_CHARS / 2 ? cut : SNIPPET_CHARS) + " ...";
  }
}
