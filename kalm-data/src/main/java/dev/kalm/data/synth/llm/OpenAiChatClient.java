package dev.kalm.data.synth.llm;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link LlmClient} for {@code POST {endpoint}/chat/completions}; see {@link LlmClients#openAiCompatible}. */
final class OpenAiChatClient implements LlmClient {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiChatClient.class);
  /** Longest Retry-After honoured; a longer one is cut to this. */
  private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);
  private static final int MAX_MESSAGE_CHARS = 500;
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final LlmConfig config;
  private final java.net.URI uri;
  private final ExecutorService httpThreads;
  private final HttpClient http;
  private final Semaphore inFlight;
  private final RateLimiter rateLimiter;
  private final AtomicBoolean jsonModeRejected = new AtomicBoolean();
  private final LongAdder calls = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder connectionErrors = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder serverErrors = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final LongAdder jsonModeFallbacks = new LongAdder();
  private volatile boolean closed;

  OpenAiChatClient(LlmConfig config) {
    this.config = config;
    this.uri = config.chatCompletionsUri();
    int id = CLIENTS.incrementAndGet();
    AtomicInteger threadCount = new AtomicInteger();
    this.httpThreads = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "kalm-llm-" + id + "-http-" + threadCount.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout())
        .executor(httpThreads)
        .build();
    this.inFlight = new Semaphore(config.maxInFlight(), true);
    this.rateLimiter = new RateLimiter(config.requestsPerSecond());
  }

  @Override
  public String chat(ChatRequest request) {
    checkNotNull(request, "request");
    checkState(!closed, "this LlmClient is closed");
    calls.increment();
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.increment();
      throw new LlmException("interrupted while waiting for a free request slot", -1, false, e);
    }
    try {
      return send(request);
    } catch (LlmException e) {
      failures.increment();
      throw e;
    } finally {
      inFlight.release();
    }
  }

  private String send(ChatRequest request) {
    boolean json = request.jsonMode() && !jsonModeRejected.get();
    int attempt = 0;
    while (true) {
      String failure;
      Duration wait;
      int status = -1;
      Throwable cause = null;
      try {
        rateLimiter.acquire();
        requests.increment();
        if (attempt > 0) {
          retries.increment();
        }
        HttpResponse<String> response = exchange(body(request, json));
        status = response.statusCode();
        if (status >= 200 && status < 300) {
          return content(response.body());
        }
        String message = serverMessage(response.body());
        if (json && (status == 400 || status == 422) && message.toLowerCase(Locale.ROOT).contains("response_format")
            && config.jsonModeFallback()) {
          if (jsonModeRejected.compareAndSet(false, true)) {
            LOG.warn("{} rejected response_format (HTTP {}: {}); sending requests without it from now on",
                uri, status, message);
          }
          jsonModeFallbacks.increment();
          json = false;
          continue;
        }
        if (status != 429 && status < 500) {
          String hint = status == 404 && !uri.getPath().contains("/v1/")
              ? " (OpenAI-compatible servers usually serve under /v1: try an endpoint ending in /v1)" : "";
          throw new LlmException("HTTP " + status + " from " + uri + ": " + message + hint, status, false, null);
        }
        if (status == 429) {
          rateLimited.increment();
        } else {
          serverErrors.increment();
        }
        failure = "HTTP " + status + ": " + message;
        Optional<Duration> asked = retryAfter(response);
        wait = asked.isPresent() ? asked.get() : backoff(attempt);
      } catch (HttpTimeoutException e) {
        timeouts.increment();
        cause = e;
        failure = (e instanceof HttpConnectTimeoutException ? "connect timeout after " + config.connectTimeout()
            : "no reply within " + config.requestTimeout());
        wait = backoff(attempt);
      } catch (IOException e) {
        connectionErrors.increment();
        cause = e;
        failure = (e instanceof ConnectException ? "cannot connect: " : "connection error: ") + describe(e);
        wait = backoff(attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LlmException("interrupted while calling " + uri, -1, false, e);
      }
      if (attempt >= config.maxRetries()) {
        throw new LlmException("gave up on " + uri + " after " + (attempt + 1) + " attempts; last: " + failure,
            status, true, cause);
      }
      LOG.debug("retrying {} in {} ms after {}", uri, wait.toMillis(), failure);
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LlmException("interrupted while waiting to retry " + uri, -1, false, e);
      }
      attempt++;
    }
  }

  /** Sends one HTTP request with a deadline for the whole reply (headers and body). */
  private HttpResponse<String> exchange(String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .timeout(config.requestTimeout())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (config.apiKey() != null) {
      b.header("Authorization", "Bearer " + config.apiKey());
    }
    CompletableFuture<HttpResponse<String>> future =
        http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    try {
      // The request timeout covers the wait for the headers; this deadline also covers the body.
      return future.get(config.requestTimeout().toNanos() + config.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new HttpTimeoutException("no reply within " + config.requestTimeout());
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new IOException(c);
    }
  }

  private String body(ChatRequest request, boolean json) {
    JsonObject o = new JsonObject();
    o.addProperty("model", config.model());
    JsonArray messages = new JsonArray();
    for (ChatMessage m : request.messages()) {
      JsonObject jm = new JsonObject();
      jm.addProperty("role", m.role());
      jm.addProperty("content", m.content());
      messages.add(jm);
    }
    o.add("messages", messages);
    o.addProperty("temperature", request.temperature());
    o.addProperty("max_tokens", request.maxTokens());
    o.addProperty("stream", false);
    if (request.seed() != null) {
      o.addProperty("seed", request.seed());
    }
    if (json) {
      JsonObject format = new JsonObject();
      format.addProperty("type", "json_object");
      o.add("response_format", format);
    }
    return o.toString();
  }

  /** {@code choices[0].message.content}; empty when the server gave no text (e.g. content null). */
  private String content(String body) {
    JsonElement root;
    try {
      root = JsonParser.parseString(body);
    } catch (JsonParseException e) {
      throw new LlmException("reply from " + uri + " is not JSON: " + abbreviate(body), 200, false, e);
    }
    if (root.isJsonObject() && root.getAsJsonObject().get("choices") instanceof JsonArray choices
        && !choices.isEmpty() && choices.get(0).isJsonObject()) {
      JsonElement message = choices.get(0).getAsJsonObject().get("message");
      if (message != null && message.isJsonObject()) {
        JsonElement content = message.getAsJsonObject().get("content");
        return content != null && content.isJsonPrimitive() ? content.getAsString() : "";
      }
    }
    throw new LlmException("reply from " + uri + " has no choices[0].message: " + abbreviate(body), 200, false, null);
  }

  /**
   * The server's error message from an error body: OpenAI {@code {"error":{"message":...}}}, TGI
   * {@code {"error":"..."}}, vLLM {@code {"message":...}}, FastAPI {@code {"detail":...}}, else the raw body.
   */
  static String serverMessage(String body) {
    try {
      JsonElement root = JsonParser.parseString(body);
      if (root.isJsonObject()) {
        JsonObject o = root.getAsJsonObject();
        JsonElement error = o.get("error");
        if (error != null && error.isJsonObject() && error.getAsJsonObject().get("message") != null) {
          return abbreviate(text(error.getAsJsonObject().get("message")));
        }
        for (String field : new String[] {"error", "message", "detail"}) {
          if (o.get(field) != null && !o.get(field).isJsonNull()) {
            return abbreviate(text(o.get(field)));
          }
        }
      }
    } catch (RuntimeException notJson) {
      // fall back to the raw body
    }
    return body.isBlank() ? "(empty body)" : abbreviate(body.strip());
  }

  private static String text(JsonElement e) {
    return e.isJsonPrimitive() ? e.getAsString() : e.toString();
  }

  private static String abbreviate(String s) {
    return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS) + "...";
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    if (m == null && e.getCause() != null) {
      m = e.getCause().getMessage();
    }
    return e.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
  }

  /** Doubling wait with jitter: {@code min(max, initial * 2^attempt) * U[0.5, 1]}. */
  private Duration backoff(int attempt) {
    long initial = config.initialBackoff().toNanos();
    long max = config.maxBackoff().toNanos();
    long base = attempt >= 62 || initial > (max >> Math.min(attempt, 62)) ? max : Math.min(max, initial << attempt);
    return Duration.ofNanos((long) (base * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble())));
  }

  /** The Retry-After header as seconds (decimals accepted) or an HTTP date, capped at ten minutes. */
  static Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").flatMap(OpenAiChatClient::parseRetryAfter);
  }

  static Optional<Duration> parseRetryAfter(String value) {
    String v = value.strip();
    Duration d;
    try {
      double seconds = Double.parseDouble(v);
      if (!(seconds >= 0) || Double.isInfinite(seconds)) {
        return Optional.empty();
      }
      d = Duration.ofNanos((long) Math.min(seconds * 1e9, MAX_RETRY_AFTER.toNanos()));
    } catch (NumberFormatException notSeconds) {
      try {
        d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
        d = d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
    return Optional.of(d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d);
  }

  @Override
  public LlmStats stats() {
    return new LlmStats(calls.sum(), requests.sum(), retries.sum(), timeouts.sum(), connectionErrors.sum(),
        rateLimited.sum(), serverErrors.sum(), failures.sum(), jsonModeFallbacks.sum());
  }

  @Override
  public void close() {
    closed = true;
    httpThreads.shutdownNow();
  }

  @Override
  public String toString() {
    return "OpenAiChatClient[" + config + "]";
  }
}
