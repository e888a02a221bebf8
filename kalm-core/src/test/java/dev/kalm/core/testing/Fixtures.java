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
   * The shared folder ({@code -Dkalm.shared}, default {@code ../shared}); skips the calling test with a clear
   * message when it is absent.
   */
  public static Path shared() {
    String property = System.getProperty("kalm.shared");
    Path path = Path.of(property == null ? "../shared" : property).toAbsolutePath().normalize();
    assumeTrue(Files.isDirectory(path.resolve("fixtures")),
        "skipped: shared fixtures not found at " + path + " (set -Dkalm.shared=<folder with fixtures/, models/, data/>)");
    return path;
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
