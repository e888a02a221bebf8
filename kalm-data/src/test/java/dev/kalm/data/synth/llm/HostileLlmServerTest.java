package dev.kalm.data.synth.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.data.testing.FakeLlmServer;
import dev.kalm.data.testing.FakeLlmServer.BodyMode;
import dev.kalm.data.testing.FakeLlmServer.Reply;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against servers that misbehave on purpose: a body without end, a Retry-After of an hour, a
 * server that echoes the API key back. Each call ends within seconds, with a message that says what
 * happened, and the key appears in no message, log line or returned text.
 */
class HostileLlmServerTest {
  private static final String KEY = "sk-test-4f1c9a7be0d2_KALM";
  private static final ChatRequest HI = ChatRequest.of(List.of(ChatMessage.user("hi")), 0.5, 32);

  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream savedErr;

  @BeforeEach
  void captureStderr() {
    savedErr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restoreStderr() {
    System.setErr(savedErr);
    String logged = logged();
    savedErr.print(logged);
    assertFalse(logged.contains(KEY), "the API key was logged:\n" + logged);
  }

  private String logged() {
    return stderr.toString(StandardCharsets.UTF_8);
  }

  private static LlmConfig.Builder hostile(FakeLlmServer server) {
    return OpenAiChatClientTest.fast(server.endpoint()).apiKey(KEY);
  }

  /** Runs the call, which must fail, and returns its exception after checking time and that no key leaks. */
  private static LlmException failsWithin(Duration limit, LlmClient llm) {
    long start = System.nanoTime();
    LlmException e = assertThrows(LlmException.class, () -> llm.chat(HI));
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(ms < limit.toMillis(), "took " + ms + " ms: " + e.getMessage());
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    assertFalse(trace.toString().contains(KEY), "the API key is in the exception:\n" + trace);
    return e;
  }

  @Test
  void anEndlessBodyIsCutAtTheCapAndNotRetried() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.endless());
         LlmClient llm = LlmClients.openAiCompatible(hostile(server).maxReplyBytes(64 << 10).build())) {
      LlmException e = failsWithin(Duration.ofSeconds(5), llm);
      assertTrue(e.getMessage().contains("is longer than the limit of 65536 bytes")
          && e.getMessage().contains("maxReplyBytes"), e.getMessage());
      assertFalse(e.transientFailure());
      assertEquals(1, server.callCount());
      assertEquals(1, llm.stats().failures());
    }
  }

  @Test
  void anEndlessBodyIsCutAtTheDefaultCap() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.endless());
         LlmClient llm = LlmClients.openAiCompatible(hostile(server).build())) {
      LlmException e = failsWithin(Duration.ofSeconds(10), llm);
      assertTrue(e.getMessage().contains("limit of " + LlmConfig.DEFAULT_MAX_REPLY_BYTES + " bytes"), e.getMessage());
    }
  }

  @Test
  void anEndlessErrorBodyIsCutToo() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.error(503, "busy").withMode(BodyMode.ENDLESS));
         LlmClient llm = LlmClients.openAiCompatible(hostile(server).maxReplyBytes(4096).build())) {
      LlmException e = failsWithin(Duration.ofSeconds(5), llm);
      assertTrue(e.getMessage().contains("is longer than the limit of 4096 bytes"), e.getMessage());
      assertEquals(1, server.callCount(), "an oversized reply is not retried");
    }
  }

  @Test
  void aDeclaredLengthOverTheCapFailsBeforeReading() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.content("ok").withMode(BodyMode.HUGE_DECLARED_LENGTH));
         LlmClient llm = LlmClients.openAiCompatible(hostile(server).build())) {
      LlmException e = failsWithin(Duration.ofSeconds(5), llm);
      assertTrue(e.getMessage().contains("declares " + (1L << 40) + " bytes (Content-Length), more than the limit of "
          + LlmConfig.DEFAULT_MAX_REPLY_BYTES), e.getMessage());
    }
  }

  @Test
  void aHugeRetryAfterIsCappedAnnouncedAndCountedAgainstTheCallBudget() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.error(429, "slow down").withHeader("Retry-After", "3600"));
         LlmClient llm = LlmClients.openAiCompatible(hostile(server).maxRetries(100)
             .maxRetryAfter(Duration.ofSeconds(1)).callTimeout(Duration.ofMillis(2500)).build())) {
      long start = System.nanoTime();
      LlmException e = failsWithin(Duration.ofSeconds(6), llm);
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 1900, "two capped waits of 1 s took only " + ms + " ms");
      assertTrue(e.getMessage().contains("would pass the call's time budget of 2.5 s")
          && e.getMessage().contains("Retry-After 3600 s, capped at 1 s")
          && e.getMessage().contains("HTTP 429: slow down"), e.getMessage());
      assertTrue(e.transientFailure());
      assertEquals(3, server.callCount());
      assertTrue(logged().contains("HTTP 429: slow down; waiting 1 s before retry 1 of 100 (the server asked for "
          + "Retry-After 3600 s, capped at 1 s (LlmConfig.maxRetryAfter))"), logged());
    }
  }

  @Test
  void aRetryAfterLongerThanWhatIsLeftEndsTheCallAtOnce() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.error(503, "maintenance").withHeader("Retry-After", "3600"));
         LlmClient llm = LlmClients.openAiCompatible(hostile(server).callTimeout(Duration.ofSeconds(30)).build())) {
      LlmException e = failsWithin(Duration.ofSeconds(5), llm);
      assertTrue(e.getMessage().contains("after 1 attempt: waiting 60 s (the server asked for Retry-After 3600 s, "
          + "capped at 60 s (LlmConfig.maxRetryAfter)) would pass the call's time budget of 30 s"), e.getMessage());
      assertEquals(1, server.callCount());
    }
  }

  @Test
  void aSlowServerCannotOutlastTheCallBudget() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.content("late").withDelay(3000));
         LlmClient llm = LlmClients.openAiCompatible(hostile(server).maxRetries(100)
             .callTimeout(Duration.ofMillis(800)).build())) {
      LlmException e = failsWithin(Duration.ofSeconds(3), llm);
      assertTrue(e.getMessage().contains("no reply from " + server.endpoint() + "/chat/completions within the call's "
          + "time budget of 0.8 s (LlmConfig.callTimeout) after 1 attempt; last: no reply within 0."), e.getMessage());
    }
  }

  @Test
  void anEchoedKeyIsRedactedEverywhere() {
    Map<String, Supplier<FakeLlmServer.Script>> servers = Map.of(
        "401 in OpenAI's layout", () -> c -> Reply.error(401, "Incorrect API key provided: " + c.authorization()),
        "500 as plain text, retried", () -> c -> new Reply(500, "upstream said: " + c.authorization(), Map.of(), 0, false),
        "JSON-escaped in a 400", () -> c -> new Reply(400,
            "{\"detail\":\"" + c.authorization().replace("-", "\\u002d") + "\"}", Map.of(), 0, false),
        "cut at 500 characters", () -> c -> Reply.error(403, "x".repeat(480) + c.authorization()),
        "200 that is not JSON", () -> c -> new Reply(200, "<html>" + c.authorization() + "</html>", Map.of(), 0, false),
        "response_format rejection logged", () -> c -> c.jsonMode()
            ? Reply.error(400, "response_format not allowed for " + c.authorization())
            : Reply.error(418, "teapot " + c.authorization()));
    servers.forEach((name, script) -> {
      try (FakeLlmServer server = FakeLlmServer.start(script.get());
           LlmClient llm = LlmClients.openAiCompatible(hostile(server).build())) {
        long start = System.nanoTime();
        LlmException e = assertThrows(LlmException.class, () -> llm.chat(HI.withJsonMode(true)), name);
        assertTrue((System.nanoTime() - start) / 1_000_000 < 5000, name);
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        assertFalse(trace.toString().contains(KEY), name + ": " + trace);
        assertFalse(trace.toString().contains("sk-test"), name + ": a piece of the key is left: " + trace);
        assertTrue(server.calls().get(0).authorization().equals("Bearer " + KEY), name);
        if (!name.startsWith("cut")) {
          assertTrue(e.getMessage().contains("Bearer " + LlmConfig.REDACTED), name + ": " + e.getMessage());
        }
      }
    });
    assertTrue(logged().contains("rejected response_format"), logged());
  }

  /** The key echoed where the JDK's HTTP parser quotes it in its own exception: a malformed status line. */
  @Test
  void anEchoedKeyInAMalformedStatusLineIsRedacted() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread server = new Thread(() -> {
        while (!socket.isClosed()) {
          try (Socket s = socket.accept()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String auth = "";
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
              if (line.regionMatches(true, 0, "Authorization:", 0, 14)) {
                auth = line.substring(14).strip();
              }
            }
            s.getOutputStream().write(("HTTP/1.1 " + auth + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
          } catch (IOException closed) {
            return;
          }
        }
      });
      server.setDaemon(true);
      server.start();
      try (LlmClient llm = LlmClients.openAiCompatible(OpenAiChatClientTest.fast(
          java.net.URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1")).apiKey(KEY).build())) {
        LlmException e = failsWithin(Duration.ofSeconds(5), llm);
        assertTrue(e.getMessage().contains("connection error") && e.getMessage().contains(LlmConfig.REDACTED),
            e.getMessage());
      }
    }
  }

  @Test
  void anEchoedKeyInAReplyIsRedactedToo() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.content("{\"query\": \"" + c.authorization() + "\"}"));
         LlmClient llm = LlmClients.openAiCompatible(hostile(server).build())) {
      assertEquals("{\"query\": \"Bearer ***\"}", llm.chat(HI));
    }
  }

  @Test
  void configValidatesTheNewLimits() {
    LlmConfig.Builder b = LlmConfig.builder().endpoint(java.net.URI.create("http://127.0.0.1:1/v1")).model("m");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.maxReplyBytes(10).build());
    assertTrue(e.getMessage().contains("maxReplyBytes must be in [1024"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> b.maxReplyBytes(4096).maxRetryAfter(Duration.ofSeconds(-1)).build());
    assertTrue(e.getMessage().contains("maxRetryAfter must not be negative"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> b.maxRetryAfter(Duration.ZERO).callTimeout(Duration.ZERO).build());
    assertTrue(e.getMessage().contains("callTimeout must be positive"), e.getMessage());
    assertEquals("no key here", b.callTimeout(Duration.ofSeconds(1)).build().redact("no key here"));
  }
}
