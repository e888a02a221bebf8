package dev.kalm.data.synth.llm;

/** Factories of {@link LlmClient}s. */
public final class LlmClients {
  private LlmClients() {}

  /**
   * A client for the OpenAI chat completions API ({@code POST {endpoint}/chat/completions}) as served by
   * vLLM, llama.cpp's {@code llama-server}, Ollama, TGI and OpenAI. Uses the JDK HTTP client (HTTP/1.1,
   * pooled connections). Thread safe; see {@link LlmConfig} for timeouts, retries, the in-flight bound and
   * the rate limit, the reply size cap, the Retry-After cap and the per-call time budget. The API key is sent
   * in a header and never logged; wherever a server echoes it (error messages, reply bodies, even reply
   * text), it is replaced by {@value LlmConfig#REDACTED} before the client logs, throws or returns anything.
   */
  public static LlmClient openAiCompatible(LlmConfig config) {
    return new OpenAiChatClient(config);
  }
}
