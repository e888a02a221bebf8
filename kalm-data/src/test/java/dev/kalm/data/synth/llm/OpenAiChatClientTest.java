package dev.kalm.data.synth.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.data.testing.FakeLlmServer;
import dev.kalm.data.testing.FakeLlmServer.Reply;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class OpenAiChatClientTest {
  private static final ChatRequest HI = ChatRequest.of(List.of(ChatMessage.user("hi")), 0.5, 32);

  /**
   * Tiny backoffs so that failure paths run in milliseconds; a request timeout far above loopback
   * latency even on a loaded machine (the timeout test sets its own).
   */
  static LlmConfig.Builder fast(URI endpoint) {
    return LlmConfig.builder().endpoint(endpoint).model("fake-model")
        .connectTimeout(Duration.ofSeconds(2))
        .requestTimeout(Duration.ofSeconds(5))
        .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
        .maxRetries(3);
  }

  @Test
  void sendsTheRequestAndReturnsTheContent() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.content("hello"));
         LlmClient llm = LlmClients.openAiCompatible(fast(server.endpoint()).apiKey("sk-secret").build())) {
      ChatRequest r = new ChatRequest(com.google.common.collect.ImmutableList.of(
          ChatMessage.system("be brief"), ChatMessage.user("hi")), 0.25, 77, true, 1234L);
      assertEquals("hello", llm.chat(r));
      FakeLlmServer.Call call = server.calls().get(0);
      assertEquals("Bearer sk-secret", call.authorization());
      assertEquals("fake-model", call.body().get("model").getAsString());
      assertEquals(0.25, call.body().get("temperature").getAsDouble());
      assertEquals(77, call.body().get("max_tokens").getAsInt());
      assertEquals(1234L, call.seed());
      assertEquals("json_object", call.body().getAsJsonObject("response_format").get("type").getAsString());
      assertEquals("be brief", call.system());
      assertEquals("hi", call.user());
      assertEquals(new LlmStats(1, 1, 0, 0, 0, 0, 0, 0, 0), llm.stats());
    }
  }

  @Test
  void endpointMayEndWithSlashOrTheFullPath() {
    URI base = URI.create("http://127.0.0.1:8000/v1/");
    assertEquals("http://127.0.0.1:8000/v1/chat/completions",
        LlmConfig.builder().endpoint(base).model("m").build().chatCompletionsUri().toString());
    URI full = URI.create("http://127.0.0.1:8000/v1/chat/completions");
    assertEquals(full, LlmConfig.builder().endpoint(full).model("m").build().chatCompletionsUri());
  }

  @Test
  void apiKeyNeverShowsInToString() {
    LlmConfig c = LlmConfig.builder().endpoint(URI.create("http://127.0.0.1:1/v1")).model("m").apiKey("sk-secret").build();
    assertFalse(c.toString().contains("sk-secret"), c.toString());
    assertTrue(c.toString().contains("***"));
  }

  @Test
  void retriesServerErrorsThenSucceeds() {
    try (FakeLlmServer server = FakeLlmServer.start(
            c -> c.number() <= 2 ? Reply.error(500, "boom") : Reply.content("ok"));
         LlmClient llm = LlmClients.openAiCompatible(fast(server.endpoint()).build())) {
      assertEquals("ok", llm.chat(HI));
      LlmStats s = llm.stats();
      assertEquals(3, s.requests());
      assertEquals(2, s.retries());
      assertEquals(2, s.serverErrors());
      assertEquals(0, s.failures());
    }
  }

  @Test
  void honoursRetryAfterOn429() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> c.number() == 1
            ? Reply.error(429, "slow down").withHeader("Retry-After", "1") : Reply.content("ok"));
         LlmClient llm = LlmClients.openAiCompatible(fast(server.endpoint()).build())) {
      long start = System.nanoTime();
      assertEquals("ok", llm.chat(HI));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 950, "waited only " + ms + " ms despite Retry-After: 1");
      assertEquals(1, llm.stats().rateLimited());
      assertEquals(1, llm.stats().retries());
    }
  }

  @Test
  void doesNotRetryOtherClientErrorsAndShowsTheServerMessage() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.error(401, "Incorrect API key provided"));
         LlmClient llm = LlmClients.openAiCompatible(fast(server.endpoint()).build())) {
      LlmException e = assertThrows(LlmException.class, () -> llm.chat(HI));
      assertEquals(401, e.status());
      assertFalse(e.transientFailure());
      assertTrue(e.getMessage().contains("Incorrect API key provided"), e.getMessage());
      assertEquals(1, server.callCount());
      assertEquals(1, llm.stats().failures());
    }
  }

  @Test
  void timesOutASlowReplyAndRetries() {
    try (FakeLlmServer server = FakeLlmServer.start(
            c -> c.number() == 1 ? Reply.content("late").withDelay(5000) : Reply.content("ok"));
         LlmClient llm = LlmClients.openAiCompatible(
             fast(server.endpoint()).requestTimeout(Duration.ofMillis(400)).build())) {
      long start = System.nanoTime();
      assertEquals("ok", llm.chat(HI));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 380 && ms < 4000, "timeout of 400 ms took " + ms + " ms");
      assertEquals(1, llm.stats().timeouts());
      assertEquals(1, llm.stats().retries());
    }
  }

  @Test
  void retriesADroppedConnection() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> c.number() == 1 ? Reply.dropConnection() : Reply.content("ok"));
         LlmClient llm = LlmClients.openAiCompatible(fast(server.endpoint()).build())) {
      assertEquals("ok", llm.chat(HI));
      assertEquals(1, llm.stats().connectionErrors());
      assertEquals(2, server.callCount());
    }
  }

  @Test
  void givesUpAfterMaxRetries() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.error(503, "overloaded"));
         LlmClient llm = LlmClients.openAiCompatible(fast(server.endpoint()).maxRetries(2).build())) {
      LlmException e = assertThrows(LlmException.class, () -> llm.chat(HI));
      assertTrue(e.transientFailure());
      assertEquals(503, e.status());
      assertTrue(e.getMessage().contains("after 3 attempts") && e.getMessage().contains("overloaded"), e.getMessage());
      assertEquals(3, server.callCount());
    }
  }

  @Test
  void connectionRefusedIsRetriedThenReported() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (LlmClient llm = LlmClients.openAiCompatible(
        fast(URI.create("http://127.0.0.1:" + port + "/v1")).maxRetries(1).build())) {
      LlmException e = assertThrows(LlmException.class, () -> llm.chat(HI));
      assertTrue(e.transientFailure());
      assertTrue(e.getMessage().contains("cannot connect") || e.getMessage().contains("connection"), e.getMessage());
      assertEquals(2, llm.stats().connectionErrors());
    }
  }

  @Test
  void fallsBackWhenResponseFormatIsRejected() {
    FakeLlmServer.Script script = c -> c.jsonMode()
        ? Reply.error(400, "response_format is not supported by this model") : Reply.content("{}");
    try (FakeLlmServer server = FakeLlmServer.start(script);
         LlmClient llm = LlmClients.openAiCompatible(fast(server.endpoint()).build())) {
      ChatRequest json = HI.withJsonMode(true);
      assertEquals("{}", llm.chat(json));
      assertEquals("{}", llm.chat(json));
      assertEquals(3, server.callCount(), "only the first request carries response_format");
      assertEquals(1, llm.stats().jsonModeFallbacks());
      assertEquals(0, llm.stats().retries());
    }
    try (FakeLlmServer server = FakeLlmServer.start(script);
         LlmClient llm = LlmClients.openAiCompatible(fast(server.endpoint()).jsonModeFallback(false).build())) {
      LlmException e = assertThrows(LlmException.class, () -> llm.chat(HI.withJsonMode(true)));
      assertEquals(400, e.status());
    }
  }

  @Test
  void boundsRequestsInFlight() throws Exception {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.content("ok").withDelay(40));
         LlmClient llm = LlmClients.openAiCompatible(fast(server.endpoint()).maxInFlight(3).build())) {
      ExecutorService pool = Executors.newFixedThreadPool(12);
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        results.add(pool.submit(() -> llm.chat(HI)));
      }
      for (Future<String> f : results) {
        assertEquals("ok", f.get());
      }
      pool.shutdown();
      assertTrue(server.maxInFlight() <= 3, "in flight: " + server.maxInFlight());
      assertEquals(3, server.maxInFlight());
    }
  }

  @Test
  void rateLimitSpacesRequests() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> Reply.content("ok"));
         LlmClient llm = LlmClients.openAiCompatible(fast(server.endpoint()).requestsPerSecond(20).build())) {
      long start = System.nanoTime();
      for (int i = 0; i < 9; i++) {
        llm.chat(HI);
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 380, "9 requests at 20/s took only " + ms + " ms");
    }
  }

  @Test
  void emptyOrNullContentIsEmptyText() {
    try (FakeLlmServer server = FakeLlmServer.start(c -> new Reply(200,
            "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null}}]}", java.util.Map.of(), 0, false));
         LlmClient llm = LlmClients.openAiCompatible(fast(server.endpoint()).build())) {
      assertEquals("", llm.chat(HI));
    }
  }

  @Test
  void parsesRetryAfter() {
    assertEquals(Duration.ofSeconds(2), OpenAiChatClient.parseRetryAfter("2").orElseThrow());
    assertEquals(Duration.ofMillis(250), OpenAiChatClient.parseRetryAfter(" 0.25 ").orElseThrow());
    assertEquals(Duration.ofSeconds(99999), OpenAiChatClient.parseRetryAfter("99999").orElseThrow(), "not capped here");
    assertTrue(OpenAiChatClient.parseRetryAfter("soon").isEmpty());
    assertTrue(OpenAiChatClient.parseRetryAfter("-1").isEmpty());
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(30));
    Duration d = OpenAiChatClient.parseRetryAfter(date).orElseThrow();
    assertTrue(d.getSeconds() >= 25 && d.getSeconds() <= 30, d.toString());
  }

  @Test
  void readsServerMessagesOfCommonServers() {
    assertEquals("bad key", OpenAiChatClient.serverMessage("{\"error\":{\"message\":\"bad key\",\"type\":\"x\"}}", s -> s));
    assertEquals("tgi says no", OpenAiChatClient.serverMessage("{\"error\":\"tgi says no\",\"error_type\":\"v\"}", s -> s));
    assertEquals("vllm says no",
        OpenAiChatClient.serverMessage("{\"object\":\"error\",\"message\":\"vllm says no\",\"code\":400}", s -> s));
    assertEquals("plain text", OpenAiChatClient.serverMessage("plain text\n", s -> s));
    assertEquals("(empty body)", OpenAiChatClient.serverMessage("", s -> s));
  }
}
