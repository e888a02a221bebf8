package dev.kalm.core.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Locates test fixtures: the small ones shipped in this test-jar, the larger ones in {@code ../shared}. */
public final class Fixtures {
  private static final String[] TINY_FILES = {
    "config.json", "model.safetensors", "forward.safetensors", "forward_bidirectional.safetensors",
    "train_batch.safetensors", "train_reference.json"
  };
  private static Path tiny;

  private Fixtures() {}

  /** The {@code qwen2-tiny} fixture folder (token-level model, no tokenizer). */
  public static synchronized Path qwen2Tiny() {
    if (tiny == null) {
      tiny = resourceFolder("fixtures/qwen2-tiny", TINY_FILES);
    }
    return tiny;
  }

  /**
   * The shared folder ({@code -Dkalm.shared}, default {@code ../shared}); skips the calling test, with one
   * {@link #skipUnless} line on the console, when it is absent.
   */
  public static Path shared() {
    Path path = sharedRoot();
    skipUnless(Files.isDirectory(path.resolve("fixtures")), "shared fixtures not found at " + path + HOW);
    return path;
  }

  /**
   * {@code relative} inside the shared folder, e.g. {@code shared("data/man-dev")}; skips the calling test, with
   * one {@link #skipUnless} line on the console, when it does not exist.
   */
  public static Path shared(String relative) {
    Path path = sharedRoot().resolve(relative);
    skipUnless(Files.exists(path), "shared data " + relative + " not found at " + path + HOW);
    return path;
  }

  /**
   * Skips the calling test unless {@code condition} holds: prints one line on standard output,
   * {@code kalm test SKIPPED <class>.<method>: <reason>}, the same for every skipped test, then aborts the test
   * (a JUnit assumption, so the reports count it as skipped).
   */
  public static void skipUnless(boolean condition, String reason) {
    if (condition) {
      return;
    }
    // the test method: the outermost frame of the calling class's run of frames (past its helper methods)
    String caller = StackWalker.getInstance().walk(frames -> {
      StackWalker.StackFrame test = null;
      for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
        if (f.getClassName().equals(Fixtures.class.getName())) {
          continue;
        }
        if (test != null && !f.getClassName().equals(test.getClassName())) {
          break;
        }
        test = f;
      }
      return test == null ? "?" : test.getClassName() + "." + test.getMethodName();
    });
    System.out.println("kalm test SKIPPED " + caller + ": " + reason);
    assumeTrue(false, reason);
  }

  private static final String HOW = " (set -Dkalm.shared=<folder with fixtures/, models/, data/>)";

  private static Path sharedRoot() {
    String property = System.getProperty("kalm.shared");
    return Path.of(property == null ? "../shared" : property).toAbsolutePath().normalize();
  }

  /** The real Qwen2 tokenizer file from the shared folder (skips when absent). */
  public static Path qwen2Tokenizer() {
    return shared().resolve("models/qwen2-tokenizer/tokenizer.json");
  }

  private static Path resourceFolder(String folder, String[] files) {
    URL first = Fixtures.class.getClassLoader().getResource(folder + "/" + files[0]);
    if (first == null) {
      throw new IllegalStateException("test resource " + folder + " missing from the classpath");
    }
    try {
      if (first.getProtocol().equals("file")) {
        return Path.of(first.toURI()).getParent();
      }
      Path dir = Files.createTempDirectory("kalm-fixture");
      for (String file : files) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(folder + "/" + file)) {
          Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
