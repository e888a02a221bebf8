package dev.kalm.data.testing;

import com.google.common.collect.ImmutableMap;
import com.google.common.hash.Hashing;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A chat completions server on loopback for tests: {@code POST /v1/chat/completions} answered by a
 * script (status, body, headers, delay, or a dropped connection). {@link #modelReply} is a deterministic
 * fake model whose valid answers depend only on the request (prompt and seed).
 */
public final class FakeLlmServer implements AutoCloseable {
  static {
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle plus delayed ACKs
    // add ~40 ms per reply (real servers such as uvicorn set it). Read once when the server classes load.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  /** One request as the server saw it. */
  public record Call(int number, JsonObject body, @Nullable String authorization) {
    /** The system message, or null. */
    public @Nullable String system() {
      return message("system");
    }

    /** The (last) user message. */
    public String user() {
      String u = message("user");
      return u == null ? "" : u;
    }

    /** The {@code seed} field, or null. */
    public @Nullable Long seed() {
      JsonElement s = body.get("seed");
      return s == null ? null : s.getAsLong();
    }

    /** Whether {@code response_format} was sent. */
    public boolean jsonMode() {
      return body.has("response_format");
    }

    /** True for a stage-1 (brainstorm) request: it has a system message. */
    public boolean brainstorm() {
      return system() != null;
    }

    private @Nullable String message(String role) {
      String found = null;
      for (JsonElement m : body.getAsJsonArray("messages")) {
        if (role.equals(m.getAsJsonObject().get("role").getAsString())) {
          found = m.getAsJsonObject().get("content").getAsString();
        }
      }
      return found;
    }
  }

  /** How the body is sent: as is, or in one of the ways a hostile or broken server sends it. */
  public enum BodyMode {
    /** The body, with its exact Content-Length. */
    AS_IS,
    /**
     * The body, then filler bytes without end (chunked), until the client hangs up; stops after
     * {@link #ENDLESS_SAFETY_BYTES} so that a client without a cap fails its test instead of the JVM.
     */
    ENDLESS,
    /** A Content-Length of a terabyte, then the body, then the connection is closed. */
    HUGE_DECLARED_LENGTH
  }

  /** Where an {@link BodyMode#ENDLESS} body gives up when the client keeps reading. */
  public static final long ENDLESS_SAFETY_BYTES = 512L << 20;

  /** What to answer. */
  public record Reply(int status, String body, Map<String, String> headers, long delayMillis, boolean dropped,
      BodyMode mode) {
    /** A reply whose body is sent as is. */
    public Reply(int status, String body, Map<String, String> headers, long delayMillis, boolean dropped) {
      this(status, body, headers, delayMillis, dropped, BodyMode.AS_IS);
    }

    /** A 200 chat completion whose message content is {@code text}. */
    public static Reply content(String text) {
      JsonObject message = new JsonObject();
      message.addProperty("role", "assistant");
      message.addProperty("content", text);
      JsonObject choice = new JsonObject();
      choice.addProperty("index", 0);
      choice.add("message", message);
      choice.addProperty("finish_reason", "stop");
      JsonArray choices = new JsonArray();
      choices.add(choice);
      JsonObject o = new JsonObject();
      o.addProperty("id", "chatcmpl-fake");
      o.addProperty("object", "chat.completion");
      o.add("choices", choices);
      return new Reply(200, o.toString(), Map.of(), 0, false);
    }

    /** An error in OpenAI's layout {@code {"error":{"message":...}}}. */
    public static Reply error(int status, String message) {
      JsonObject error = new JsonObject();
      error.addProperty("message", message);
      JsonObject o = new JsonObject();
      o.add("error", error);
      return new Reply(status, o.toString(), Map.of(), 0, false);
    }

    /** Close the connection without answering. */
    public static Reply dropConnection() {
      return new Reply(0, "", Map.of(), 0, true);
    }

    /** A 200 whose body starts like a chat completion and never ends. */
    public static Reply endless() {
      return new Reply(200, "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"", Map.of(), 0,
          false, BodyMode.ENDLESS);
    }

    /** This reply with a header added. */
    public Reply withHeader(String name, String value) {
      return new Reply(status, body, ImmutableMap.<String, String>builder().putAll(headers).put(name, value).build(),
          delayMillis, dropped, mode);
    }

    /** This reply sent after a delay. */
    public Reply withDelay(long millis) {
      return new Reply(status, body, headers, millis, dropped, mode);
    }

    /** This reply with its body sent in {@code m}. */
    public Reply withMode(BodyMode m) {
      return new Reply(status, body, headers, delayMillis, dropped, m);
    }
  }

  /** Chooses the reply to a call; called concurrently. */
  @FunctionalInterface
  public interface Script {
    Reply reply(Call call);
  }

  private final HttpServer server;
  private final ExecutorService threads;
  private final Script script;
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final List<Call> calls = new CopyOnWriteArrayList<>();

  private FakeLlmServer(Script script) throws IOException {
    this.script = script;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    this.threads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-llm");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(threads);
    server.createContext("/v1/chat/completions", this::handle);
    server.start();
  }

  /** Starts a server answering with {@code script}. */
  public static FakeLlmServer start(Script script) {
    try {
      return new FakeLlmServer(script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A server that always answers like {@link #modelReply}. */
  public static FakeLlmServer model() {
    return start(call -> Reply.content(modelReply(call)));
  }

  /** The API base, {@code http://127.0.0.1:PORT/v1}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
  }

  /** Requests received so far. */
  public int callCount() {
    return count.get();
  }

  /** The requests received so far, in arrival order. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The most requests that were being handled at once. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    boolean counted = true;
    try {
      JsonObject body = JsonParser.parseString(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
          .getAsJsonObject();
      Call call = new Call(count.incrementAndGet(), body, ex.getRequestHeaders().getFirst("Authorization"));
      calls.add(call);
      Reply reply = script.reply(call);
      if (reply.delayMillis() > 0) {
        Thread.sleep(reply.delayMillis());
      }
      // A request stops counting as in flight before its reply goes out: once the client has the last byte it may
      // send the next request, which must not overlap this handler's bookkeeping.
      inFlight.decrementAndGet();
      counted = false;
      if (reply.dropped()) {
        ex.close();
        return;
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      ex.getResponseHeaders().add("Content-Type", "application/json");
      switch (reply.mode()) {
        case AS_IS -> {
          ex.sendResponseHeaders(reply.status(), bytes.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
          }
        }
        case ENDLESS -> sendEndless(ex, reply.status(), bytes);
        case HUGE_DECLARED_LENGTH -> {
          ex.sendResponseHeaders(reply.status(), 1L << 40);
          hangUpAfter(ex, bytes);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ex.close();
    } catch (RuntimeException e) {
      byte[] bytes = ("fake server error: " + e).getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(599, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    } finally {
      if (counted) {
        inFlight.decrementAndGet();
      }
    }
  }

  private static void sendEndless(HttpExchange ex, int status, byte[] prefix) throws IOException {
    ex.sendResponseHeaders(status, 0);
    byte[] filler = new byte[64 << 10];
    java.util.Arrays.fill(filler, (byte) 'a');
    OutputStream out = ex.getResponseBody();
    try {
      out.write(prefix);
      for (long sent = prefix.length; sent < ENDLESS_SAFETY_BYTES; sent += filler.length) {
        out.write(filler);
      }
      out.close();
    } catch (IOException clientHungUp) {
      ex.close();
    }
  }

  private static void hangUpAfter(HttpExchange ex, byte[] bytes) {
    try {
      ex.getResponseBody().write(bytes);
      ex.getResponseBody().flush();
    } catch (IOException clientHungUp) {
      // expected: the client stops at the declared length
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }

  /**
   * A deterministic fake model: a brainstorm request gets ten instructions; a generation request gets an
   * example with the keys its prompt asks for ({@code sentence1} -> STS, {@code source} -> bitext, else
   * query/positive/negative), in lengths every task type accepts. Text depends only on the user prompt,
   * the system prompt and the seed.
   */
  public static String modelReply(Call call) {
    String h = Hashing.murmur3_128().newHasher()
        .putString(call.user(), StandardCharsets.UTF_8)
        .putString(String.valueOf(call.system()), StandardCharsets.UTF_8)
        .putLong(call.seed() == null ? -1 : call.seed())
        .hash().toString().substring(0, 16);
    JsonObject o = new JsonObject();
    if (call.brainstorm()) {
      JsonArray list = new JsonArray();
      for (int k = 0; k < 10; k++) {
        list.add("Given request " + k + " of kind " + h + ", retrieve the texts that match it.");
      }
      o.add("instructions", list);
    } else if (call.user().contains("\"sentence1\"")) {
      o.addProperty("sentence1", "Sentence " + h + " tells how the weather was today.");
      o.addProperty("sentence2", "Sentence " + h + " describes today's weather in other words.");
      o.addProperty("score", 4.5);
    } else if (call.user().contains("\"source\"")) {
      o.addProperty("source", "Source sentence " + h + " about a rental contract.");
      o.addProperty("target", "Target sentence " + h + " translated faithfully.");
    } else {
      o.addProperty("user_query", "What does item " + h + " mean and how is it used in practice?");
      o.addProperty("positive_document", "Item " + h + " means a specific thing; this document explains how it is "
          + "used in practice, step by step.");
      o.addProperty("hard_negative_document", "Item " + h + " shares a name with other things; this document is "
          + "about their history, not their use.");
    }
    return o.toString();
  }
}
