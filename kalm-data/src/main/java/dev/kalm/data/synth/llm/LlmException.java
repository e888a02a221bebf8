package dev.kalm.data.synth.llm;

import org.jspecify.annotations.Nullable;

/**
 * A chat completion call failed: the server answered with an error that retrying does not fix (a 4xx
 * other than 429: bad model name, bad API key, bad request; a reply over {@link LlmConfig#maxReplyBytes}),
 * or transient failures (connection errors, timeouts, 429, 5xx) outlasted the retries or the call's time
 * budget ({@link LlmConfig#callTimeout}). The message includes the server's own error message, with the
 * API key redacted.
 */
public final class LlmException extends RuntimeException {
  private final int status;
  private final boolean transientFailure;

  /**
   * @param message what went wrong, including the server's message when there is one
   * @param status the HTTP status of the last response, or -1 when there was none (connection error, timeout)
   * @param transientFailure true when the last failure was of a kind that is retried (the retries ran out)
   * @param cause the underlying exception, or null
   */
  public LlmException(String message, int status, boolean transientFailure, @Nullable Throwable cause) {
    super(message, cause);
    this.status = status;
    this.transientFailure = transientFailure;
  }

  /** The HTTP status of the last response, or -1 when no response came (connection error, timeout). */
  public int status() {
    return status;
  }

  /** True when the retries ran out on transient failures; false for an error that retrying cannot fix. */
  public boolean transientFailure() {
    return transientFailure;
  }
}
