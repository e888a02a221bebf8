package dev.kalm.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Checks of output paths that commands run before any work, so that a run cannot embed, mine or train for
 * hours and then fail to write. A missing parent folder is fine (commands create it) as long as the nearest
 * existing ancestor is a writable folder.
 */
final class OutputPaths {
  private OutputPaths() {}

  /**
   * {@code file} (given with {@code option}) can be written as a file: it is not a folder, and its folder exists
   * or can be created. Null is allowed (an option not given).
   *
   * @throws IllegalArgumentException naming the option and the path
   */
  static void checkFile(String option, @Nullable Path file) {
    if (file == null) {
      return;
    }
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(option + " " + file + " is a folder; give a file path");
    }
    checkCreatable(option, file);
  }

  /**
   * {@code folder} (given with {@code option}) can be written as a folder (created, or replaced when it exists):
   * it is not a file, and its parent exists or can be created.
   *
   * @throws IllegalArgumentException naming the option and the path
   */
  static void checkFolder(String option, Path folder) {
    if (Files.exists(folder) && !Files.isDirectory(folder)) {
      throw new IllegalArgumentException(option + " " + folder + " is a file; give a folder path");
    }
    checkCreatable(option, folder);
  }

  private static void checkCreatable(String option, Path path) {
    Path parent = path.toAbsolutePath().normalize().getParent();
    while (parent != null && !Files.exists(parent)) {
      parent = parent.getParent();
    }
    if (parent == null || !Files.isDirectory(parent)) {
      throw new IllegalArgumentException(option + " " + path + ": cannot create its folder, " + parent
          + " is not a folder");
    }
    if (!Files.isWritable(parent)) {
      throw new IllegalArgumentException(option + " " + path + ": folder " + parent + " is not writable");
    }
  }
}
