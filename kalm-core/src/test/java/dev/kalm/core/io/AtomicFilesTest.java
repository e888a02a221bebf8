package dev.kalm.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files appear whole or not at all, with the permissions of a normally created file, and no temporary file stays. */
class AtomicFilesTest {
  @TempDir Path tmp;

  private List<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesAndReplacesCreatingTheFolder() throws IOException {
    Path target = tmp.resolve("a/b/out.txt");
    AtomicFiles.writeString(target, "one");
    AtomicFiles.writeLines(target, List.of("x", "y"));
    assertEquals("x\ny\n", Files.readString(target, StandardCharsets.UTF_8));
    assertEquals(List.of("out.txt"), names(target.getParent()));
  }

  @Test
  void getsTheUmaskPermissionsOfANormallyCreatedFile() throws IOException {
    Assumptions.assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX only");
    Path normal = Files.writeString(tmp.resolve("normal.txt"), "n");
    Path atomic = tmp.resolve("atomic.txt");
    AtomicFiles.writeString(atomic, "a");
    assertEquals(Files.getPosixFilePermissions(normal), Files.getPosixFilePermissions(atomic));
  }

  @Test
  void aFailingWriteLeavesTheTargetAndNoTemporaryFile() throws IOException {
    Path target = tmp.resolve("keep.txt");
    Files.writeString(target, "old");
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, out -> {
      out.write("half".getBytes(StandardCharsets.UTF_8));
      throw new IOException("disk full");
    }));
    assertTrue(e.getMessage().contains("keep.txt") && e.getMessage().contains("disk full"), e.getMessage());
    assertEquals("old", Files.readString(target));
    assertEquals(List.of("keep.txt"), names(tmp));
  }

  @Test
  void aPendingFileClosedWithoutCommitIsDiscarded() throws IOException {
    Path target = tmp.resolve("never.txt");
    try (AtomicFiles.Pending pending = AtomicFiles.create(target)) {
      pending.stream().write(1);
      assertEquals(1, names(tmp).size());
      assertTrue(AtomicFiles.isTemporary(names(tmp).get(0)), names(tmp).toString());
    }
    assertFalse(Files.exists(target));
    assertEquals(List.of(), names(tmp));
  }

  @Test
  void aFolderIsReplacedWholeKeepingTheNamedEntries() throws IOException {
    Path target = tmp.resolve("model");
    AtomicFiles.writeFolder(target, dir -> {
      Files.writeString(dir.resolve("weights"), "v1");
      Files.createDirectories(dir.resolve("checkpoint-1"));
    }, name -> false);
    AtomicFiles.writeFolder(target, dir -> Files.writeString(dir.resolve("weights"), "v2"),
        name -> name.startsWith("checkpoint-"));
    assertEquals(List.of("checkpoint-1", "weights"), names(target));
    assertEquals("v2", Files.readString(target.resolve("weights")));
    assertThrows(IllegalStateException.class, () -> AtomicFiles.writeFolder(target, dir -> {
      throw new IllegalStateException("bad weights");
    }, name -> true));
    assertEquals(List.of("model"), names(tmp));
    assertEquals("v2", Files.readString(target.resolve("weights")));
  }
}
