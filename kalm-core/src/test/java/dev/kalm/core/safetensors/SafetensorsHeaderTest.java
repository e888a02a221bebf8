package dev.kalm.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each way a safetensors header can lie about its data gets its own message naming the file and tensor. */
class SafetensorsHeaderTest {
  @TempDir Path tmp;

  /** A file with {@code header} and {@code dataBytes} zero bytes of data. */
  static byte[] file(String header, int dataBytes) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(json.length).put(json);
    return b.array();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}"
          + "| tensors 'a' [0, 8) and 'b' [4, 12) overlap in the data section",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}"
          + "| tensor 'a' has data offsets [0, 16] outside the data section of 12 bytes (truncated file?)",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,4]}}"
          + "| tensor 'a' has data offsets [8, 4] outside the data section of 12 bytes (truncated file?)",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}"
          + "| tensor 'a' spans 12 bytes but its shape [2] of F32 needs 8",
      "{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}"
          + "| tensor 'a' has unsupported dtype Q4 (supported: F32, BF16, F16, F64, I64, I32)",
      "{\"a\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,8]}}| tensor 'a' needs a string dtype, got 7",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}"
          + "| tensor 'a' has shape[0] = -2, not a non-negative 64-bit integer",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[1e30],\"data_offsets\":[0,8]}}"
          + "| tensor 'a' has shape[0] = 1E+30, not a non-negative 64-bit integer",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}"
          + "| tensor 'a' has a shape whose byte size overflows 64 bits",
      "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}"
          + "| tensor 'a' needs data_offsets as a list of 2 non-negative integers, got [0]",
      "{\"a\":[1,2]}| tensor 'a' must be an object with dtype, shape and data_offsets, got [1,2]",
      "{\"__metadata__\":{\"format\":1}}| header __metadata__.format must be a string, got 1",
      "{\"a\":{\"dtype\":\"F32\" \"shape\":[2]}}| header invalid JSON at column 22 near '\"shape\":[2]}}': unterminated object",
      "[1]| header is not a JSON object",
  })
  void badHeaderIsNamed(String header, String expected) throws IOException {
    Path file = tmp.resolve("m.safetensors");
    Files.write(file, file(header, 12));
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file));
    assertEquals(file + ": " + expected.strip(), e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void headerThatIsNotUtf8IsNamed() throws IOException {
    byte[] bytes = file("{\"a\u00e9\":{}}", 0);
    bytes[8 + 4] = (byte) 0xff;
    Path file = tmp.resolve("m.safetensors");
    Files.write(file, bytes);
    SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file));
    assertEquals(file + ": header not valid UTF-8: byte 0xc3 at byte 4 of the line", e.getMessage());
  }
}
