package dev.kalm.core.embed;

import dev.kalm.core.progress.ProgressListener;
import dev.kalm.core.stop.StopSignal;
import java.util.List;

/**
 * Turns texts into fixed-size vectors with a text embedding model.
 *
 * <p>Contract:
 * <ul>
 *   <li>Output order equals input order; row {@code i} is the embedding of {@code texts.get(i)}.
 *   <li>A text's embedding does not depend on the other texts of the call (batching is invisible, within
 *       1e-5).
 *   <li>Vectors have {@link #dimension()} components and unit L2 norm when the config normalises, except
 *       the empty string (no tokens), whose embedding is the all-zero vector (as in sentence-transformers).
 *       That vector scores 0 against everything, so callers that rank should reject empty texts first (the
 *       kalm CLI does: an empty {@code text} is an error naming its line).
 *   <li>Texts longer than the configured max length are truncated to their first tokens.
 *   <li>A {@code null} element is rejected with an {@link IllegalArgumentException} naming its index.
 * </ul>
 *
 * <p>Thread safety: implementations are safe for concurrent use by several threads. Lifecycle: an
 * embedder owns native memory (model weights); {@link #close()} releases it once no batch is in flight (it
 * waits for those), calls still running fail at their next batch, and afterwards every method throws
 * {@link IllegalStateException} ("embedder is closed"). Closing twice is harmless.
 *
 * <p>Stopping: {@link #embed(List, Prompt, ProgressListener)} checks {@link StopSignal#current()} (and the
 * thread's interruption) before each batch and throws {@link dev.kalm.core.stop.StoppedException} when a stop
 * is requested, never inside a batch.
 *
 * <pre>{@code
 * try (Embedder embedder = Embedders.load(Path.of("model"), EmbedderConfig.defaults())) {
 *   float[][] docs = embedder.embed(List.of("ls lists directory contents"));
 *   float[] query = embedder.embed(List.of("list files"), Prompt.instruction(Prompt.DEFAULT_RETRIEVAL_TASK))[0];
 * }
 * }</pre>
 */
public interface Embedder extends AutoCloseable {

  /** Embeds texts with the configured prompt. */
  default float[][] embed(List<String> texts) {
    return embed(texts, config().effectivePrompt());
  }

  /** Embeds texts with the given prompt in place of the configured one. */
  default float[][] embed(List<String> texts, Prompt prompt) {
    return embed(texts, prompt, ProgressListener.NONE);
  }

  /** Embeds texts with the given prompt, reporting the number of texts done to {@code progress}. */
  float[][] embed(List<String> texts, Prompt prompt, ProgressListener progress);

  /** Embeds one text with the configured prompt. */
  default float[] embed(String text) {
    return embed(List.of(text))[0];
  }

  /** Number of components of every returned vector (the configured Matryoshka dimension or the hidden size). */
  int dimension();

  /** Number of tokens the model would see for {@code text} before truncation (no prompt added). */
  int tokenCount(String text);

  /** The configuration this embedder runs with, defaults resolved from the model folder. */
  EmbedderConfig config();

  /** Releases native memory after the batches in flight; idempotent. */
  @Override
  void close();
}
