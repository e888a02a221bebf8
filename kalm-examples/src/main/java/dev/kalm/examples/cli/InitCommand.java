package dev.kalm.examples.cli;

import dev.kalm.core.model.Attention;
import dev.kalm.core.model.ModelInit;
import dev.kalm.core.model.Pooling;
import dev.kalm.core.model.Prompt;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.model.SentenceTransformerSettings;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kalm init}: writes a randomly initialised Qwen2 model folder. */
@Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Write a randomly initialised Qwen2 or Qwen3 model folder.",
    description = "Writes a Qwen2 or Qwen3 embedding model with random weights in the Hugging Face + "
        + "sentence-transformers layout, e.g. as the starting point of `kalm train` or for trying the other commands.")
final class InitCommand implements Callable<Integer> {
  @Option(names = "--preset", paramLabel = "NAME", required = true,
      description = "Model shape: tiny, small, qwen2-0.5b (KaLM's exact shape), qwen3-tiny, qwen3-0.6b "
          + "(Qwen3-Embedding-0.6B's shape) or the path of a config.json.")
  String preset;

  @Option(names = "--tokenizer", paramLabel = "FILE", description = "Tokenizer.json (or a folder with one); default: the bundled Qwen2 tokenizer.")
  Path tokenizer;

  @Option(names = "--output", paramLabel = "DIR", required = true, description = "Model folder to write (replaced if it exists).")
  Path output;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--attention", paramLabel = "causal|bidirectional", defaultValue = "causal", description = "Attention mask of the model (default: ${DEFAULT-VALUE}).")
  String attention;

  @Option(names = "--pooling", paramLabel = "mean|last|first", defaultValue = "mean", description = "How token vectors become one vector (default: ${DEFAULT-VALUE}).")
  String pooling;

  @Override
  public Integer call() {
    OutputPaths.checkFolder("--output", output);
    Qwen2Config config = ModelInit.preset(preset).withAttention(Attention.parse(attention));
    long start = System.nanoTime();
    ModelInit.writeRandom(output, config, seed, tokenizer,
        new SentenceTransformerSettings(Pooling.parse(pooling), 512, Prompt.instruction(Prompt.DEFAULT_RETRIEVAL_TASK)),
        new ModelInit.Provenance("kalm init", preset));
    System.err.printf(Locale.ROOT, "kalm init: wrote %s (%s, %.1fM parameters, hidden %d, %d layers) in %.1f s%n",
        output, preset, config.parameterCount() / 1e6, config.hiddenSize(), config.numLayers(),
        (System.nanoTime() - start) / 1e9);
    return 0;
  }
}
