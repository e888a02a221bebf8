package dev.kalm.core.model;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The largest token id a Hugging Face {@code tokenizer.json} can produce: the largest of {@code model.vocab}'s
 * ids (an object of token to id for BPE and WordPiece, a list for Unigram) and {@code added_tokens[].id}.
 * Streams the file (the merges are skipped), so a 7 MB Qwen2 tokenizer takes a few tens of milliseconds.
 */
final class TokenizerIds {
  private TokenizerIds() {}

  /** The largest id with the token it belongs to; id -1 when the file has neither vocab nor added tokens. */
  record MaxId(long id, String token) {}

  /** @throws ModelFormatException naming the file when it cannot be read or is not a tokenizer.json */
  static MaxId maxId(Path file) {
    try (Reader in = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        JsonReader json = new JsonReader(in)) {
      json.setStrictness(Strictness.STRICT);
      MaxId max = new MaxId(-1, "");
      json.beginObject();
      while (json.hasNext()) {
        String name = json.nextName();
        if (name.equals("added_tokens") && json.peek() == JsonToken.BEGIN_ARRAY) {
          json.beginArray();
          while (json.hasNext()) {
            max = addedToken(json, max);
          }
          json.endArray();
        } else if (name.equals("model") && json.peek() == JsonToken.BEGIN_OBJECT) {
          json.beginObject();
          while (json.hasNext()) {
            if (json.nextName().equals("vocab")) {
              max = vocab(json, max);
            } else {
              json.skipValue();
            }
          }
          json.endObject();
        } else {
          json.skipValue();
        }
      }
      return max;
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      throw new ModelFormatException(file, "not a readable tokenizer.json: " + e.getMessage(), e);
    }
  }

  private static MaxId addedToken(JsonReader json, MaxId max) throws IOException {
    long id = -1;
    String content = "";
    json.beginObject();
    while (json.hasNext()) {
      String field = json.nextName();
      if (field.equals("id") && json.peek() == JsonToken.NUMBER) {
        id = json.nextLong();
      } else if (field.equals("content") && json.peek() == JsonToken.STRING) {
        content = json.nextString();
      } else {
        json.skipValue();
      }
    }
    json.endObject();
    return id > max.id() ? new MaxId(id, content) : max;
  }

  private static MaxId vocab(JsonReader json, MaxId max) throws IOException {
    if (json.peek() == JsonToken.BEGIN_OBJECT) {
      json.beginObject();
      while (json.hasNext()) {
        String token = json.nextName();
        long id = json.nextLong();
        if (id > max.id()) {
          max = new MaxId(id, token);
        }
      }
      json.endObject();
    } else if (json.peek() == JsonToken.BEGIN_ARRAY) {
      long index = 0;
      json.beginArray();
      while (json.hasNext()) {
        json.skipValue();
        index++;
      }
      json.endArray();
      if (index - 1 > max.id()) {
        max = new MaxId(index - 1, "(entry " + (index - 1) + ")");
      }
    } else {
      json.skipValue();
    }
    return max;
  }
}
