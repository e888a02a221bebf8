package dev.kalm.examples.cli;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.embed.Pooling;
import dev.kalm.core.embed.Prompt;
import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.jsonl.JsonLines;
import dev.kalm.core.stop.StoppedException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
@Command(name = "embed", mixinStandardHelpOptions = true,
    description = {"Embed JSON Lines texts ({\"text\": ...} per line) with a model.",
        "Output: one {\"embedding\": [...], <other input fields>} per input line, in input order."})
final class EmbedCommand implements Callable<Integer> {
  private static final int CHUNK = 4096;

  @Mixin ModelOptions modelOptions;

  @Option(names = "--pooling", description = "mean | last | first (default: the model folder's, else mean)")
  String pooling;

  @Option(names = "--dim", defaultValue = "0", description = "Matryoshka dimension: truncate, then normalise (default: full)")
  int dim;

  @Option(names = "--no-normalize", description = "do not L2-normalise")
  boolean noNormalize;

  @ArgGroup(exclusive = true)
  PromptChoice promptChoice;

  static final class PromptChoice {
    @Option(names = "--prompt", description = "raw text put before every input")
    String prompt;

    @Option(names = "--instruction",
        description = "query instruction in KaLM's template: 'Instruct: {instruction} \\n Query: {text}'")
    String instruction;
  }

  @Option(names = "--input", description = "JSON Lines input (default: standard input)")
  Path input;

  @Option(names = "--output", description = "JSON Lines output (default: standard output); written atomically")
  Path output;

  @Override
  public Integer call() throws IOException {
    String source = input == null ? "stdin" : input.toString();
    List<JsonObject> stdinLines = input == null ? SignalStop.waitingForInput(
        () -> readAll(JsonLines.read(new InputStreamReader(System.in, StandardCharsets.UTF_8), source))) : null;
    long total = stdinLines != null ? stdinLines.size() : validateFile(input);
    EmbedderConfig.Builder config = modelOptions.configBuilder().dimension(dim).normalize(!noNormalize);
    if (pooling != null) {
      config.pooling(Pooling.parse(pooling));
    }
    if (promptChoice != null) {
      config.prompt(promptChoice.prompt != null ? Prompt.raw(promptChoice.prompt) : Prompt.instruction(promptChoice.instruction));
    }
    Path tmp = output == null ? null : output.toAbsolutePath().resolveSibling(output.getFileName() + ".partial");
    ProgressBar bar = ProgressBar.stderr("embed");
    long[] done = {0};
    try (Embedder embedder = Embedders.load(modelOptions.model, config.build());
        Writer out = tmp == null
            ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16)
            : Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      List<JsonObject> chunk = new ArrayList<>(CHUNK);
      try (Stream<JsonObject> lines = stdinLines != null ? stdinLines.stream() : JsonLines.read(input).map(JsonLine::json)) {
        for (JsonObject line : (Iterable<JsonObject>) lines::iterator) {
          chunk.add(line);
          if (chunk.size() == CHUNK) {
            writeChunk(embedder, chunk, out, done, total, bar);
          }
        }
      }
      writeChunk(embedder, chunk, out, done, total, bar);
      out.flush();
    } catch (IOException | RuntimeException e) {
      if (tmp != null) {
        Files.deleteIfExists(tmp);
      }
      if (e instanceof StoppedException) {
        bar.finish();
        throw new StoppedException(e.getMessage() + (tmp != null ? "; " + output + " was not written"
            : "; the embeddings of the first " + done[0] + " lines were written to standard output"));
      }
      throw e;
    }
    if (tmp != null) {
      Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    bar.finish();
    return 0;
  }

  private static void writeChunk(Embedder embedder, List<JsonObject> chunk, Writer out, long[] done, long total,
      ProgressBar bar) throws IOException {
    if (chunk.isEmpty()) {
      return;
    }
    List<String> texts = chunk.stream().map(o -> o.get("text").getAsString()).collect(Collectors.toList());
    long before = done[0];
    float[][] vectors = embedder.embed(texts, embedder.config().prompt(), (d, t) -> bar.progress(before + d, total));
    Gson gson = new Gson();
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < vectors.length; i++) {
      line.setLength(0);
      line.append("{\"embedding\":[");
      for (int j = 0; j < vectors[i].length; j++) {
        if (j > 0) {
          line.append(',');
        }
        line.append(vectors[i][j]);
      }
      line.append(']');
      for (Map.Entry<String, JsonElement> field : chunk.get(i).entrySet()) {
        if (!field.getKey().equals("text") && !field.getKey().equals("embedding")) {
          line.append(',').append(gson.toJson(field.getKey())).append(':').append(gson.toJson(field.getValue()));
        }
      }
      out.write(line.append("}\n").toString());
    }
    done[0] += chunk.size();
    chunk.clear();
  }

  /** Checks every line before any work, so a bad line stops the run with nothing written. Returns the count. */
  private static long validateFile(Path file) {
    try (Stream<JsonLine> lines = JsonLines.read(file)) {
      return lines.peek(l -> l.string("text")).count();
    }
  }

  private static List<JsonObject> readAll(Stream<JsonLine> lines) {
    try (lines) {
      List<JsonObject> all = new ArrayList<>();
      lines.forEach(l -> {
        l.string("text");
        all.add(l.json());
      });
      return all;
    }
  }
}
