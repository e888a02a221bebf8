package dev.kalm.data.synth.llm;

/**
 * A chat LLM behind some server. Implementations are thread safe: many threads may call {@link #chat}
 * at once (an implementation may bound how many requests are in flight and block the rest).
 *
 * <pre>{@code
 * try (LlmClient llm = LlmClients.openAiCompatible(
 *     LlmConfig.builder(URI.create("http://127.0.0.1:8000/v1"), "Qwen/Qwen2.5-7B-Instruct").build())) {
 *   String reply = llm.chat(ChatRequest.of(List.of(ChatMessage.user("Say hi")), 0.7, 64));
 * }
 * }</pre>
 */
public interface LlmClient extends AutoCloseable {

  /**
   * Sends one chat request and returns the reply text (empty when the server gave no text). Blocks until
   * the reply arrives, retrying transient failures as the implementation's configuration says.
   *
   * @throws LlmException when the server rejects the request, the reply is too large, or the retries or the
   *     call's time budget run out
   */
  String chat(ChatRequest request);

  /** Counters since creation; safe to call at any time from any thread. */
  LlmStats stats();

  /** Releases connections and threads; calls after close fail. */
  @Override
  void close();
}
