package dev.kalm.examples.cli;

import dev.kalm.core.embed.Attention;
import dev.kalm.core.embed.Pooling;
import dev.kalm.core.embed.Prompt;
import dev.kalm.core.model.ModelInit;
import dev.kalm.core.model.ModelWriter;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.model.SentenceTransformerSettings;
import dev.kalm.core.tokenize.BundledTokenizer;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kalm init}: writes a randomly initialised Qwen2 model folder. */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = "Write a randomly initialised Qwen2 or Qwen3 embedding model folder (HF + sentence-transformers layout).")
final class InitCommand implements Callable<Integer> {
  @Option(names = "--preset", required = true,
      description = "tiny | small | qwen2-0.5b (KaLM's exact shape) | qwen3-tiny | qwen3-0.6b (Qwen3-Embedding-0.6B's shape) | path to a config.json")
  String preset;

  @Option(names = "--tokenizer", description = "tokenizer.json (or a folder with one); default: the bundled Qwen2 tokenizer")
  Path tokenizer;

  @Option(names = "--output", required = true, description = "model folder to write (replaced if it exists)")
  Path output;

  @Option(names = "--seed", defaultValue = "42", description = "random seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--attention", defaultValue = "causal", description = "causal | bidirectional (default: ${DEFAULT-VALUE})")
  String attention;

  @Option(names = "--pooling", defaultValue = "mean", description = "mean | last | first (default: ${DEFAULT-VALUE})")
  String pooling;

  @Override
  public Integer call() throws Exception {
    Qwen2Config config = ModelInit.preset(preset).withAttention(Attention.parse(attention));
    Path tokenizerSource = tokenizer;
    Path extracted = null;
    if (tokenizerSource == null) {
      extracted = Files.createTempDirectory("kalm-tokenizer");
      BundledTokenizer.writeTo(extracted);
      tokenizerSource = extracted;
    }
    try {
      long start = System.nanoTime();
      JsonObject provenance = new JsonObject();
      provenance.addProperty("created_by", "kalm init");
      provenance.addProperty("preset", preset);
      provenance.addProperty("seed", seed);
      ModelWriter.write(output, config, ModelInit.randomWeights(config, seed), tokenizerSource,
          new SentenceTransformerSettings(Pooling.parse(pooling), 512, Prompt.instruction(Prompt.DEFAULT_RETRIEVAL_TASK)),
          provenance);
      System.err.printf(Locale.ROOT, "kalm init: wrote %s (%s, %.1fM parameters, hidden %d, %d layers) in %.1f s%n",
          output, preset, config.parameterCount() / 1e6, config.hiddenSize(), config.numLayers(),
          (System.nanoTime() - start) / 1e9);
      return 0;
    } finally {
      if (extracted != null) {
        com.google.common.io.MoreFiles.deleteRecursively(extracted, com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE);
      }
    }
  }
}
