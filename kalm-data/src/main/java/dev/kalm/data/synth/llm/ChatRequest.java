package dev.kalm.data.synth.llm;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One chat completion request, independent of the server (the model name and endpoint belong to the
 * {@link LlmClient}). Immutable.
 *
 * @param messages the conversation, at least one message
 * @param temperature sampling temperature in [0, 2]
 * @param maxTokens the most tokens the reply may have, at least 1
 * @param jsonMode ask the server for a JSON object reply ({@code response_format: {"type":"json_object"}});
 *     a client may drop it for servers that reject it
 * @param seed sampling seed sent to the server (servers that support it give reproducible replies), or null
 */
public record ChatRequest(
    ImmutableList<ChatMessage> messages, double temperature, int maxTokens, boolean jsonMode, @Nullable Long seed) {

  public ChatRequest {
    messages = ImmutableList.copyOf(messages);
    checkArgument(!messages.isEmpty(), "messages must not be empty");
    checkArgument(temperature >= 0 && temperature <= 2, "temperature must be in [0, 2], got %s", temperature);
    checkArgument(maxTokens >= 1, "maxTokens must be at least 1, got %s", maxTokens);
  }

  /** A request with the given messages, temperature and token limit; no JSON mode, no seed. */
  public static ChatRequest of(List<ChatMessage> messages, double temperature, int maxTokens) {
    return new ChatRequest(ImmutableList.copyOf(messages), temperature, maxTokens, false, null);
  }

  /** This request with JSON mode switched on or off. */
  public ChatRequest withJsonMode(boolean on) {
    return new ChatRequest(messages, temperature, maxTokens, on, seed);
  }
}
