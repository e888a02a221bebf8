package dev.kalm.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.jsonl.JsonLine;
import dev.kalm.core.jsonl.JsonLines;
import dev.kalm.core.jsonl.JsonLinesException;
import dev.kalm.core.model.ModelFolder;
import dev.kalm.core.model.ModelFormatException;
import dev.kalm.core.model.Qwen2Config;
import dev.kalm.core.safetensors.SafetensorsException;
import dev.kalm.core.safetensors.SafetensorsFile;
import dev.kalm.core.safetensors.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Malformed model files and JSON Lines, generated: truncated, with fields of the wrong type or out of range, with
 * bytes that are not UTF-8. Every case either reads or ends in kalm's own exception whose message starts with the
 * file's path; never another exception (a crash), never a hang.
 */
class MalformedInputPropertiesTest {
  private static final String CONFIG = "{\"model_type\":\"qwen2\",\"vocab_size\":1000,\"hidden_size\":64,"
      + "\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,"
      + "\"head_dim\":16,\"rms_norm_eps\":1e-6,\"rope_theta\":1000000.0,\"max_position_embeddings\":512,"
      + "\"tie_word_embeddings\":true,\"use_sliding_window\":false,\"is_causal\":true,"
      + "\"rope_parameters\":{\"rope_theta\":1000000.0,\"rope_type\":\"default\"}}";
  private static final String MODULES = "[{\"idx\":0,\"name\":\"0\",\"path\":\"\",\"type\":\"sentence_transformers.models.Transformer\"},"
      + "{\"idx\":1,\"name\":\"1\",\"path\":\"1_Pooling\",\"type\":\"sentence_transformers.models.Pooling\"}]";
  private static final String POOLING = "{\"word_embedding_dimension\":64,\"pooling_mode_mean_tokens\":true}";
  private static final String PROMPTS = "{\"prompts\":{\"query\":\"Instruct: x \\n Query: \",\"document\":\"\"},"
      + "\"default_prompt_name\":null}";
  private static final String HEADER = "{\"__metadata__\":{\"format\":\"pt\"},"
      + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
      + "\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[16,24]},"
      + "\"c\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[24,32]}}";
  private static final String LINE = "{\"text\":\"ls lists \\u00e9 files\",\"id\":7,\"tags\":[\"a\",\"b\"]}";

  private static Path dir;

  @BeforeContainer
  static void folder() throws IOException {
    dir = Files.createTempDirectory("kalm-malformed");
  }

  @AfterContainer
  static void cleanUp() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Values of the wrong type, out of range, or odd: what replaces a field's value. */
  private static Arbitrary<String> oddValues() {
    return Arbitraries.of("0", "-1", "1.5", "1e300", "-1e300", "3000000000", "9223372036854775808", "\"12\"", "\"\"",
        "true", "false", "null", "[]", "{}", "[1,2]", "{\"a\":1}", "\"\\u0000\"", "1e-400", "-0", "7");
  }

  /** {@code text} as UTF-8, mutated once: truncated, a value replaced, bytes inserted (often not UTF-8), a byte removed. */
  private static Arbitrary<byte[]> mutated(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Arbitrary<Integer> position = Arbitraries.integers().between(0, bytes.length);
    Arbitrary<byte[]> truncated = position.map(p -> Arrays.copyOf(bytes, p));
    Arbitrary<byte[]> replacedValue = Combinators.combine(position, oddValues()).as((p, value) -> {
      int colon = text.indexOf(':', Math.min(p, text.length() - 1));
      if (colon < 0) {
        return bytes;
      }
      int end = colon + 1;
      int depth = 0;
      while (end < text.length()) {
        char c = text.charAt(end);
        if (depth == 0 && (c == ',' || c == '}' || c == ']')) {
          break;
        }
        depth += c == '[' || c == '{' ? 1 : c == ']' || c == '}' ? -1 : 0;
        end++;
      }
      return (text.substring(0, colon + 1) + value + text.substring(end)).getBytes(StandardCharsets.UTF_8);
    });
    Arbitrary<byte[]> inserted = Combinators.combine(position, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4))
        .as((p, extra) -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          out.write(bytes, 0, p);
          out.writeBytes(extra);
          out.write(bytes, p, bytes.length - p);
          return out.toByteArray();
        });
    Arbitrary<byte[]> removed = Arbitraries.integers().between(0, bytes.length - 1).map(p -> {
      byte[] out = new byte[bytes.length - 1];
      System.arraycopy(bytes, 0, out, 0, p);
      System.arraycopy(bytes, p + 1, out, p, bytes.length - p - 1);
      return out;
    });
    return Arbitraries.oneOf(truncated, replacedValue, inserted, removed);
  }

  @Provide
  Arbitrary<byte[]> configs() {
    return mutated(CONFIG);
  }

  @Provide
  Arbitrary<byte[]> sentenceTransformerFiles() {
    return Arbitraries.oneOf(mutated(MODULES), mutated(POOLING), mutated(PROMPTS));
  }

  @Provide
  Arbitrary<byte[]> headers() {
    return mutated(HEADER);
  }

  @Provide
  Arbitrary<byte[]> lines() {
    return mutated(LINE);
  }

  private static void assertOwnException(RuntimeException e, Class<? extends RuntimeException> type, Path file) {
    assertTrue(type.isInstance(e), () -> "not a " + type.getSimpleName() + ": " + e);
    assertTrue(e.getMessage().startsWith(file.toString()), () -> "message does not name " + file + ": " + e.getMessage());
    assertTrue(!e.getMessage().contains("com.google") && !e.getMessage().contains("Exception"),
        () -> "generic exception text: " + e.getMessage());
  }

  @Property(tries = 400)
  void configJsonReadsOrFailsNamingTheFile(@ForAll("configs") byte[] content) throws IOException {
    Path file = dir.resolve("config.json");
    Files.write(file, content);
    try {
      Qwen2Config.read(file);
    } catch (RuntimeException e) {
      assertOwnException(e, ModelFormatException.class, file);
    }
  }

  @Property(tries = 300)
  void sentenceTransformerFilesReadOrFailNamingTheFile(@ForAll("sentenceTransformerFiles") byte[] content,
      @ForAll("whichFile") String name) throws IOException {
    Path model = dir.resolve("model");
    Files.createDirectories(model.resolve("1_Pooling"));
    Files.writeString(model.resolve("config.json"), CONFIG);
    Files.writeString(model.resolve("tokenizer.json"), "{\"added_tokens\":[{\"id\":5,\"content\":\"<x>\"}],"
        + "\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0,\"b\":1},\"merges\":[]}}");
    Files.write(model.resolve("model.safetensors"), new byte[0]);
    Files.writeString(model.resolve("modules.json"), MODULES);
    Files.writeString(model.resolve("1_Pooling/config.json"), POOLING);
    Files.writeString(model.resolve("config_sentence_transformers.json"), PROMPTS);
    Path file = model.resolve(name);
    Files.write(file, content);
    try {
      ModelFolder.read(model);
    } catch (RuntimeException e) {
      assertTrue(e instanceof ModelFormatException, () -> "not a ModelFormatException: " + e);
      assertTrue(e.getMessage().startsWith(model.toString()), () -> "message does not name the folder: " + e.getMessage());
    }
  }

  @Provide
  Arbitrary<String> whichFile() {
    return Arbitraries.of("modules.json", "1_Pooling/config.json", "config_sentence_transformers.json",
        "tokenizer.json");
  }

  @Property(tries = 400)
  void safetensorsHeaderOpensOrFailsNamingTheFile(@ForAll("headers") byte[] header,
      @ForAll("headerLengthSkew") int skew) throws IOException {
    Path file = dir.resolve("m.safetensors");
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + 32).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length + (long) skew).put(header);
    Files.write(file, b.array());
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      for (TensorInfo t : f.tensors().values()) {
        try {
          if (t.dtype().isFloat()) {
            f.floatArray(t.name());
          } else {
            f.longs(t.name());
          }
        } catch (SafetensorsException e) {
          assertOwnException(e, SafetensorsException.class, file);
        }
      }
    } catch (RuntimeException e) {
      assertOwnException(e, SafetensorsException.class, file);
    }
  }

  @Provide
  Arbitrary<Integer> headerLengthSkew() {
    return Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.just(0), Arbitraries.integers().between(-20, 60));
  }

  @Property(tries = 400)
  void jsonLinesReadOrFailNamingFileAndLine(@ForAll("lines") byte[] bad, @ForAll("lineNumber") int at)
      throws IOException {
    Path file = dir.resolve("in.jsonl");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 1; i <= 6; i++) {
      out.writeBytes((i == at ? new String(bad, StandardCharsets.ISO_8859_1) : LINE)
          .getBytes(i == at ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
      out.write('\n');
    }
    Files.write(file, out.toByteArray());
    try (Stream<JsonLine> lines = JsonLines.read(file)) {
      List<String> texts = lines.map(l -> l.string("text")).toList();
      assertTrue(texts.size() >= 5, "a valid line went missing: " + texts);
    } catch (UncheckedIOException e) {
      throw new AssertionError("unexpected I/O error", e);
    } catch (RuntimeException e) {
      assertOwnException(e, JsonLinesException.class, file);
      assertTrue(e.getMessage().startsWith(file + ":" + at + ":"), () -> "wrong line (bad one is " + at + "): "
          + e.getMessage());
    }
  }

  @Provide
  Arbitrary<Integer> lineNumber() {
    return Arbitraries.integers().between(1, 6);
  }
}
