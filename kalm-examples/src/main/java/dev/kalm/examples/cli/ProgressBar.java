package dev.kalm.examples.cli;

import dev.kalm.core.progress.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress line on standard error: done/total, rate, ETA. Redraws in place (at most 4 times a second)
 * on a terminal; elsewhere prints a line at each 10 % so logs stay short. Not thread-safe.
 */
final class ProgressBar implements ProgressListener {
  private final String label;
  private final String unit;
  private final PrintStream out;
  private final boolean terminal;
  private final long start = System.nanoTime();
  private long lastDraw;
  private long lastDecile = -1;
  private long done;
  private long total = -1;

  ProgressBar(String label, String unit) {
    this(label, unit, System.err, System.console() != null);
  }

  ProgressBar(String label, String unit, PrintStream out, boolean terminal) {
    this.label = label;
    this.unit = unit;
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public void progress(long done, long total) {
    this.done = done;
    this.total = total;
    long now = System.nanoTime();
    if (terminal) {
      if (now - lastDraw > 250_000_000L || done == total) {
        lastDraw = now;
        out.print("\r" + line() + "   ");
        out.flush();
      }
    } else if (total > 0) {
      long decile = done * 10 / total;
      if (decile != lastDecile && decile < 10) {
        lastDecile = decile;
        out.println(line());
      }
    }
  }

  /** Prints the final line with the elapsed time and mean rate. */
  void finish() {
    if (terminal) {
      out.print("\r");
    }
    out.println(line() + String.format(Locale.ROOT, " (done in %.1f s)", seconds()));
  }

  /** Seconds since this bar was created. */
  double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  private String line() {
    double seconds = Math.max(seconds(), 1e-9);
    double rate = done / seconds;
    StringBuilder s = new StringBuilder(label).append(": ");
    if (total > 0) {
      int width = 24;
      int filled = (int) (width * Math.min(1.0, (double) done / total));
      s.append('[').append("#".repeat(filled)).append(".".repeat(width - filled)).append("] ");
      s.append(done).append('/').append(total).append(' ').append(unit);
      if (done > 0 && done < total) {
        s.append(String.format(Locale.ROOT, ", ETA %s", duration((total - done) / rate)));
      }
    } else {
      s.append(done).append(' ').append(unit);
    }
    return s.append(String.format(Locale.ROOT, ", %.1f %s/s", rate, unit)).toString();
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
        : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
  }
}
