package dev.kalm.examples.console;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.kalm.core.progress.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line progress display for long CLI work: {@code label  done/total  pct%  rate/s  ETA m:ss}.
 * On a terminal the line is redrawn in place ({@code \r}) at most about 4 times a second; otherwise
 * (a log file, a pipe) one line is printed at the start and at each further 10 % (or every 10 seconds when the total is
 * unknown), so logs stay short. Thread-safe.
 *
 * <pre>{@code
 * ProgressBar bar = ProgressBar.stderr("embedding");
 * embedder.embed(texts, prompt, bar);
 * bar.finish();
 * }</pre>
 */
public final class ProgressBar implements ProgressListener {
  private static final long REDRAW_NANOS = 250_000_000L;
  private static final long UNKNOWN_TOTAL_NANOS = 10_000_000_000L;

  private final String label;
  private final PrintStream out;
  private final boolean terminal;
  private final LongSupplier clock;
  private final long start;
  private long lastPrint = Long.MIN_VALUE;
  private long lastDecile = -1;
  private boolean drawn;
  private int width;
  private long lastDone;
  private long lastTotal;

  /**
   * A progress bar printing to {@code out}.
   *
   * @param terminal redraw one line in place (true) or print a line per 10 % (false)
   * @param clock nanosecond clock, e.g. {@code System::nanoTime}
   */
  public ProgressBar(String label, PrintStream out, boolean terminal, LongSupplier clock) {
    this.label = checkNotNull(label, "label");
    this.out = checkNotNull(out, "out");
    this.terminal = terminal;
    this.clock = checkNotNull(clock, "clock");
    this.start = clock.getAsLong();
  }

  /** A bar on standard error, redrawn in place when the JVM has a console. */
  public static ProgressBar stderr(String label) {
    return new ProgressBar(label, System.err, System.console() != null, System::nanoTime);
  }

  @Override
  public synchronized void progress(long done, long total) {
    lastDone = done;
    lastTotal = total;
    long now = clock.getAsLong();
    boolean complete = total > 0 && done >= total;
    if (terminal) {
      if (complete || lastPrint == Long.MIN_VALUE || now - lastPrint >= REDRAW_NANOS) {
        out.print("\r" + padded(line(done, total, now)));
        out.flush();
        lastPrint = now;
        drawn = true;
      }
    } else if (total > 0) {
      long decile = Math.min(10, done * 10 / total);
      if (decile > lastDecile) {
        out.println(line(done, total, now));
        lastDecile = decile;
      }
    } else if (lastPrint == Long.MIN_VALUE || now - lastPrint >= UNKNOWN_TOTAL_NANOS) {
      out.println(line(done, total, now));
      lastPrint = now;
    }
  }

  /** Draws the final state (on a terminal) and ends the line; call once when the work is done. */
  public synchronized void finish() {
    if (terminal && drawn) {
      out.print("\r" + padded(line(lastDone, lastTotal, clock.getAsLong())));
      out.println();
      out.flush();
    }
  }

  /** The line padded with spaces over a longer previous one. */
  private String padded(String line) {
    String result = line.length() < width ? line + " ".repeat(width - line.length()) : line;
    width = Math.max(width, line.length());
    return result;
  }

  private String line(long done, long total, long now) {
    double seconds = Math.max(1e-9, (now - start) / 1e9);
    double rate = done / seconds;
    StringBuilder sb = new StringBuilder(label).append("  ").append(done);
    if (total > 0) {
      sb.append('/').append(total)
          .append(String.format(Locale.ROOT, "  %3d%%", (int) (100 * done / total)));
    }
    sb.append(String.format(Locale.ROOT, "  %.1f/s", rate));
    if (total > 0 && done > 0 && done < total) {
      long eta = Math.round((total - done) / rate);
      sb.append(String.format(Locale.ROOT, "  ETA %d:%02d", eta / 60, eta % 60));
    } else if (total > 0 && done >= total) {
      sb.append(String.format(Locale.ROOT, "  done in %.1f s", seconds));
    }
    return sb.toString();
  }
}
