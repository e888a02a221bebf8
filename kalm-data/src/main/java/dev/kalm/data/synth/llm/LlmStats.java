package dev.kalm.data.synth.llm;

import dev.kalm.core.report.Report;

/**
 * Counters of an {@link LlmClient} since it was created. Immutable snapshot.
 *
 * @param calls {@link LlmClient#chat} calls (each may send several HTTP requests)
 * @param requests HTTP requests sent, retries included
 * @param retries requests that repeated an earlier failed one
 * @param timeouts requests that got no reply within the timeout (connect or read)
 * @param connectionErrors requests that failed on the connection (refused, reset, closed early)
 * @param rateLimited replies with status 429
 * @param serverErrors replies with a 5xx status
 * @param failures calls that ended in an {@link LlmException}
 * @param jsonModeFallbacks times the server rejected {@code response_format} and the request was resent without it
 */
public record LlmStats(
    long calls, long requests, long retries, long timeouts, long connectionErrors, long rateLimited,
    long serverErrors, long failures, long jsonModeFallbacks) {

  /** All zero. */
  public static final LlmStats ZERO = new LlmStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** The counts since {@code earlier} (this minus earlier, field by field). */
  public LlmStats minus(LlmStats earlier) {
    return new LlmStats(calls - earlier.calls, requests - earlier.requests, retries - earlier.retries,
        timeouts - earlier.timeouts, connectionErrors - earlier.connectionErrors, rateLimited - earlier.rateLimited,
        serverErrors - earlier.serverErrors, failures - earlier.failures,
        jsonModeFallbacks - earlier.jsonModeFallbacks);
  }

  /** The counters as a report with snake_case names, in the order of the components. */
  public Report toReport() {
    return Report.builder()
        .add("calls", calls)
        .add("requests", requests)
        .add("retries", retries)
        .add("timeouts", timeouts)
        .add("connection_errors", connectionErrors)
        .add("rate_limited", rateLimited)
        .add("server_errors", serverErrors)
        .add("failures", failures)
        .add("json_mode_fallbacks", jsonModeFallbacks)
        .build();
  }
}
