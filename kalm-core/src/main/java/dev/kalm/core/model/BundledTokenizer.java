package dev.kalm.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/**
 * The real Qwen2 tokenizer (151,643 byte-level BPE tokens plus Qwen's added tokens; the ids of Qwen2 and
 * KaLM-Embedding), shipped gzipped inside this jar under the Apache License 2.0 (see the NOTICE beside it),
 * so that a model can be created and run with no download.
 */
public final class BundledTokenizer {
  private static final String FOLDER = "/dev/kalm/core/tokenize/qwen2/";

  private BundledTokenizer() {}

  /** Writes {@code tokenizer.json}, {@code tokenizer_config.json} and the license NOTICE into {@code folder}. */
  public static void writeTo(Path folder) {
    try {
      Files.createDirectories(folder);
      copy("tokenizer.json.gz", folder.resolve("tokenizer.json"), true);
      copy("tokenizer_config.json", folder.resolve("tokenizer_config.json"), false);
      copy("NOTICE", folder.resolve("TOKENIZER_NOTICE"), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the bundled tokenizer to " + folder + ": " + e.getMessage(), e);
    }
  }

  private static void copy(String resource, Path target, boolean gunzip) throws IOException {
    try (InputStream raw = BundledTokenizer.class.getResourceAsStream(FOLDER + resource)) {
      if (raw == null) {
        throw new IOException("resource " + FOLDER + resource + " missing from the kalm-core jar");
      }
      try (InputStream in = gunzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
