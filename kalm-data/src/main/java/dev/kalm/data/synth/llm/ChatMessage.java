package dev.kalm.data.synth.llm;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One message of a chat: a role ({@code system}, {@code user} or {@code assistant}) and its text. Immutable.
 *
 * @param role who speaks: {@code system}, {@code user} or {@code assistant}
 * @param content the text, possibly empty
 */
public record ChatMessage(String role, String content) {

  public ChatMessage {
    checkNotNull(role, "role");
    checkNotNull(content, "content");
    checkArgument(role.equals("system") || role.equals("user") || role.equals("assistant"),
        "role must be system, user or assistant, got %s", role);
  }

  /** A system message (instructions or persona for the model). */
  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  /** A user message. */
  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  /** An assistant message (an earlier model turn). */
  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }
}
