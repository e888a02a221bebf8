package dev.kalm.core.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Temporary files for write-then-move output. Unlike {@link Files#createTempFile}, which creates files readable
 * by their owner only (0600), the file gets the permissions of any new file (0666 less the user's umask), so
 * the output moved into place has the same permissions whichever command wrote it. Thread-safe.
 */
public final class TempFiles {
  private static final int ATTEMPTS = 16;

  private TempFiles() {}

  /**
   * Creates a new empty hidden file {@code .<name>.<random>.tmp} in {@code target}'s folder, so that moving it
   * onto {@code target} is atomic.
   *
   * @throws IOException when the folder does not exist or is not writable
   */
  public static Path createSibling(Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path folder = absolute.getParent();
    for (int attempt = 1; ; attempt++) {
      Path temp = folder.resolve("." + absolute.getFileName() + "."
          + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + ".tmp");
      try {
        return Files.createFile(temp);
      } catch (FileAlreadyExistsException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
