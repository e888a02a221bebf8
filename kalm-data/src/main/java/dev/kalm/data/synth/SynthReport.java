package dev.kalm.data.synth;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.kalm.core.report.Report;
import dev.kalm.data.synth.llm.LlmStats;
import java.time.Duration;
import java.util.Locale;

/**
 * What a synthesis run did. Immutable. Counts are of this run, except {@code examplesResumed}.
 *
 * @param output the output file
 * @param personasUsed personas in the plan
 * @param examplesPlanned personas used x task types x tasks per persona x examples per task
 * @param examplesResumed planned examples already in the output when the run started
 * @param examplesWritten examples appended by this run
 * @param examplesSkipped planned examples given up on (invalid replies after all re-requests, or their
 *     instruction set could not be brainstormed); a rerun tries them again
 * @param invalidReplies replies rejected by the checks (duplicates included), each re-requested or skipped
 * @param duplicates replies rejected because their query was already in the output
 * @param instructionSetsGenerated stage-1 instruction sets obtained from the LLM in this run
 * @param instructionSetsReused stage-1 instruction sets read from the sidecar file of an earlier run
 * @param llm the LLM client's counters during this run (HTTP requests, retries, timeouts, ...)
 * @param elapsed wall time of the run
 * @param cancelled true when the run was stopped by {@link Synthesizer#cancel()} or a failure
 */
public record SynthReport(
    String output,
    int personasUsed,
    long examplesPlanned,
    long examplesResumed,
    long examplesWritten,
    long examplesSkipped,
    long invalidReplies,
    long duplicates,
    long instructionSetsGenerated,
    long instructionSetsReused,
    LlmStats llm,
    Duration elapsed,
    boolean cancelled) {

  public SynthReport {
    checkNotNull(output, "output");
    checkNotNull(llm, "llm");
    checkNotNull(elapsed, "elapsed");
  }

  /** True when the output holds every planned example. */
  public boolean complete() {
    return examplesResumed + examplesWritten == examplesPlanned;
  }

  /** HTTP requests per second of wall time (0 when no time passed). */
  public double requestsPerSecond() {
    double s = elapsed.toNanos() / 1e9;
    return s > 0 ? llm.requests() / s : 0;
  }

  /**
   * The report as {@code kalm synth --report} writes it: snake_case names, {@code llm} nested, elapsed in
   * seconds, {@code requests_per_s}, {@code complete}, {@code cancelled}. {@linkplain Report.Builder#htmlSafe()
   * HTML-safe}, as this file has always been written.
   */
  public Report toReport() {
    return Report.builder()
        .add("output", output)
        .add("personas_used", personasUsed)
        .add("examples_planned", examplesPlanned)
        .add("examples_resumed", examplesResumed)
        .add("examples_written", examplesWritten)
        .add("examples_skipped", examplesSkipped)
        .add("invalid_replies", invalidReplies)
        .add("duplicates", duplicates)
        .add("instruction_sets_generated", instructionSetsGenerated)
        .add("instruction_sets_reused", instructionSetsReused)
        .add("llm", llm.toReport())
        .add("elapsed_s", elapsed.toNanos() / 1e9)
        .add("requests_per_s", requestsPerSecond())
        .add("complete", complete())
        .add("cancelled", cancelled)
        .htmlSafe()
        .build();
  }

  /** A few human-readable lines. */
  public String summary() {
    return String.format(Locale.ROOT,
        "examples: %d written, %d already present, %d skipped, %d planned (%s)%n"
            + "replies: %d invalid (%d duplicates); instruction sets: %d generated, %d reused%n"
            + "requests: %d (%d retries, %d timeouts, %d connection errors, %d rate-limited, %d server errors)%n"
            + "elapsed: %.1f s, %.1f requests/s",
        examplesWritten, examplesResumed, examplesSkipped, examplesPlanned,
        complete() ? "complete" : cancelled ? "stopped early" : "incomplete: rerun to retry the skipped ones",
        invalidReplies, duplicates, instructionSetsGenerated, instructionSetsReused,
        llm.requests(), llm.retries(), llm.timeouts(), llm.connectionErrors(), llm.rateLimited(), llm.serverErrors(),
        elapsed.toNanos() / 1e9, requestsPerSecond());
  }
}
