package dev.kalm.core.progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The resident memory of this process, as progress logs and benchmarks report it. */
public final class ResidentMemory {
  private ResidentMemory() {}

  /**
   * Resident set size of this process in MiB (Java heap, native memory of libtorch and everything else), read
   * from {@code /proc/self/status}; -1 where that is unavailable (not Linux). Thread-safe; costs one small read.
   */
  public static double mib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
