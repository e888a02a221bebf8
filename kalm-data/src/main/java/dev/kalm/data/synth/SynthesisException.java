package dev.kalm.data.synth;

/**
 * A synthesis run stopped early: the LLM server failed (an error retrying cannot fix, or retries ran
 * out), the output could not be written, or the thread was interrupted. Everything written so far is
 * intact: rerun with the same arguments to resume. {@link #report()} has the counts up to the stop.
 */
public final class SynthesisException extends RuntimeException {
  private final transient SynthReport report;

  /** @param message what stopped the run; @param report counts up to the stop; @param cause the failure */
  public SynthesisException(String message, SynthReport report, Throwable cause) {
    super(message, cause);
    this.report = report;
  }

  /** The counts up to the stop. */
  public SynthReport report() {
    return report;
  }
}
