package dev.kalm.core.testing;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.kalm.core.model.BundledTokenizer;
import dev.kalm.core.model.ModelInit;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.model.SentenceTransformerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Small model folders for tests, written with the bundled tokenizer (no shared folder needed). */
public final class TestModels {
  private static Path tokenizerFolder;
  private static Path micro;

  private TestModels() {}

  /** A folder with the bundled Qwen2 tokenizer files, extracted once per JVM. */
  public static synchronized Path tokenizer() {
    if (tokenizerFolder == null) {
      try {
        tokenizerFolder = Files.createTempDirectory("kalm-tokenizer");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      BundledTokenizer.writeTo(tokenizerFolder);
    }
    return tokenizerFolder;
  }

  /**
   * A random Qwen2 model folder with the real vocabulary and a very small body (hidden 32, 2 layers, 4 heads,
   * 2 KV heads), written once per JVM; treat it as read-only.
   */
  public static synchronized Path micro() {
    if (micro == null) {
      micro = write(Qwen2Config.of(ModelInit.QWEN2_VOCAB, 32, 64, 2, 4, 2), 7, "kalm-micro");
    }
    return micro;
  }

  /**
   * A writable copy of {@link #micro()} at {@code target} (replacing whatever is there), for tests that edit
   * or break a model folder. Returns {@code target}.
   */
  public static Path copyOfMicro(Path target) {
    try {
      if (Files.exists(target)) {
        MoreFiles.deleteRecursively(target, RecursiveDeleteOption.ALLOW_INSECURE);
      }
      Path source = micro();
      try (Stream<Path> files = Files.walk(source)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Path copy = target.resolve(source.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(copy);
          } else {
            Files.copy(p, copy);
          }
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the micro model to " + target + ": " + e.getMessage(), e);
    }
  }

  /** Writes a random model with {@code config} and {@code seed} into a new temporary folder. */
  public static Path write(Qwen2Config config, long seed, String prefix) {
    try {
      Path folder = Files.createTempDirectory(prefix).resolve("model");
      ModelInit.writeRandom(folder, config, seed, tokenizer(), SentenceTransformerSettings.kalm(), null);
      return folder;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
