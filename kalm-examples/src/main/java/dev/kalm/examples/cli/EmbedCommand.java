package dev.kalm.examples.cli;

import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.io.AtomicFiles;
import dev.kalm.core.jsonl.EmbeddingLines;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.jsonl.JsonLines;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.stop.StoppedException;
import dev.kalm.examples.console.ProgressBar;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kalm embed}: JSON Lines with a {@code "text"} field in, JSON Lines with {@code "embedding"} (and the
 * input's other fields) out, in input order. The whole input is validated before anything is written.
 */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Embed JSON Lines texts with a model.",
    description = "Reads one {\"text\": ...} object per line and writes one {\"embedding\": [...], <the other input "
        + "fields>} per line, in input order. The whole input is checked before anything is written.")
final class EmbedCommand implements Callable<Integer> {
  private static final int CHUNK = 4096;

  @Mixin ModelOptions modelOptions;

  @Mixin BatchOptions batchOptions;

  @Mixin AttentionOption attentionOption;

  @Option(names = "--pooling", paramLabel = "mean|last|first", description = "How token vectors become one vector (default: the model folder's, else mean).")
  String pooling;

  @Option(names = "--dim", defaultValue = "0", paramLabel = "N",
      description = "Matryoshka dimension: truncate, then normalise; 0 for the full size (default: ${DEFAULT-VALUE}).")
  int dim;

  @Option(names = "--no-normalize", description = "Do not L2-normalise.")
  boolean noNormalize;

  @ArgGroup(exclusive = true)
  PromptChoice promptChoice;

  static final class PromptChoice {
    @Option(names = "--prompt", paramLabel = "TEXT", description = "Raw text put before every input.")
    String prompt;

    @Option(names = "--instruction", paramLabel = "TEXT",
        description = "Query instruction in KaLM's template: 'Instruct: {instruction} \\n Query: {text}'.")
    String instruction;

    @Option(names = "--prompt-name", paramLabel = "NAME",
        description = "A prompt named in the folder's config_sentence_transformers.json, e.g. query (Qwen3-Embedding's "
            + "'Instruct: ...\\nQuery:'); default: the folder's default_prompt_name, else none.")
    String promptName;
  }

  @Option(names = "--input", paramLabel = "FILE", description = "JSON Lines input (default: standard input).")
  Path input;

  @Option(names = "--output", paramLabel = "FILE", description = "JSON Lines output (default: standard output); written atomically.")
  Path output;

  @Override
  public Integer call() throws IOException {
    OutputPaths.checkFile("--output", output);
    List<JsonLine> stdinLines = input == null ? SignalStop.waitingForInput(() -> readAll(JsonLines.read(System.in, "stdin")))
        : null;
    long total = stdinLines != null ? stdinLines.size() : validateFile(input);
    EmbedderConfig.Builder config = modelOptions.configBuilder(batchOptions).attention(attentionOption.attention())
        .dimension(dim).normalize(!noNormalize);
    if (pooling != null) {
      config.pooling(Pooling.parse(pooling));
    }
    if (promptChoice != null && promptChoice.promptName != null) {
      config.promptName(promptChoice.promptName);
    } else if (promptChoice != null) {
      config.prompt(promptChoice.prompt != null ? Prompt.raw(promptChoice.prompt) : Prompt.instruction(promptChoice.instruction));
    }
    ProgressBar bar = ProgressBar.stderr("embed");
    long[] done = {0};
    try (Embedder embedder = Embedders.load(modelOptions.model, config.build());
        AtomicFiles.Pending pending = output == null ? null : AtomicFiles.create(output);
        Writer out = new BufferedWriter(new OutputStreamWriter(pending == null ? System.out : pending.stream(),
            StandardCharsets.UTF_8), 1 << 16)) {
      List<JsonLine> chunk = new ArrayList<>(CHUNK);
      try (Stream<JsonLine> lines = stdinLines != null ? stdinLines.stream() : JsonLines.read(input)) {
        for (JsonLine line : (Iterable<JsonLine>) lines::iterator) {
          chunk.add(line);
          if (chunk.size() == CHUNK) {
            writeChunk(embedder, chunk, out, done, total, bar);
          }
        }
      }
      writeChunk(embedder, chunk, out, done, total, bar);
      out.flush();
      if (pending != null) {
        pending.commit();
      }
    } catch (StoppedException e) {
      bar.finish();
      throw new StoppedException(e.getMessage() + (output != null ? "; " + output + " was not written"
          : "; the embeddings of the first " + done[0] + " lines were written to standard output"));
    }
    bar.finish();
    return 0;
  }

  private static void writeChunk(Embedder embedder, List<JsonLine> chunk, Writer out, long[] done, long total,
      ProgressBar bar) throws IOException {
    if (chunk.isEmpty()) {
      return;
    }
    List<String> texts = chunk.stream().map(EmbedCommand::text).collect(Collectors.toList());
    long before = done[0];
    float[][] vectors = embedder.embed(texts, embedder.config().prompt(), (d, t) -> bar.progress(before + d, total));
    for (int i = 0; i < vectors.length; i++) {
      for (int j = 0; j < vectors[i].length; j++) {
        if (!Float.isFinite(vectors[i][j])) {
          throw chunk.get(i).error("text", "its embedding is not finite (" + vectors[i][j] + " at component " + j
              + "): the model overflows on it; nothing written");
        }
      }
      out.write(EmbeddingLines.line(vectors[i], EmbeddingLines.otherFieldsJson(chunk.get(i))));
      out.write('\n');
    }
    done[0] += chunk.size();
    chunk.clear();
  }

  /**
   * The line's {@code text}: a string, not empty (an empty text would embed to the zero vector, which is no
   * embedding of anything). @throws dev.kalm.core.jsonl.JsonLinesException naming file, line and field
   */
  private static String text(JsonLine line) {
    String text = line.string("text");
    if (text.isEmpty()) {
      throw line.error("text", "must not be empty (an empty text has no embedding)");
    }
    return text;
  }

  /** Checks every line before any work, so a bad line stops the run with nothing written. Returns the count. */
  private static long validateFile(Path file) {
    try (Stream<JsonLine> lines = JsonLines.read(file)) {
      return lines.peek(EmbedCommand::text).count();
    }
  }

  private static List<JsonLine> readAll(Stream<JsonLine> lines) {
    try (lines) {
      List<JsonLine> all = new ArrayList<>();
      lines.forEach(l -> {
        text(l);
        all.add(l);
      });
      return all;
    }
  }
}
