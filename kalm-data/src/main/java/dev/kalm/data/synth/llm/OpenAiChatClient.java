package dev.kalm.data.synth.llm;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link LlmClient} for {@code POST {endpoint}/chat/completions}; see {@link LlmClients#openAiCompatible}. */
final class OpenAiChatClient implements LlmClient {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiChatClient.class);
  /** Waits at least this long are announced on the log at WARN (shorter ones at DEBUG). */
  private static final Duration LOUD_WAIT = Duration.ofSeconds(1);
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

  /**
   * Sends the request, retrying transient failures, within the call's time budget ({@link
   * LlmConfig#callTimeout}): each attempt gets at most what is left of it, and a wait that would end past
   * it ends the call at once.
   */
  private String send(ChatRequest request) {
    boolean json = request.jsonMode() && !jsonModeRejected.get();
    long deadline = System.nanoTime() + config.callTimeout().toNanos();
    @Nullable String last = null;
    int lastStatus = -1;
    @Nullable Throwable lastCause = null;
    for (int attempt = 0; ; attempt++) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw budgetSpent(attempt, last, lastStatus, lastCause);
      }
      Duration wait;
      String why;
      int status = -1;
      @Nullable Throwable cause = null;
      String failure;
      Duration attemptTimeout = Duration.ofNanos(Math.min(config.requestTimeout().toNanos(), left));
      try {
        rateLimiter.acquire();
        requests.increment();
        if (attempt > 0) {
          retries.increment();
        }
        HttpResponse<String> response = exchange(body(request, json), attemptTimeout, deadline);
        status = response.statusCode();
        if (status >= 200 && status < 300) {
          return content(response.body());
        }
        String message = config.redact(serverMessage(response.body(), config::redact));
        if (json && (status == 400 || status == 422) && message.toLowerCase(Locale.ROOT).contains("response_format")
            && config.jsonModeFallback()) {
          if (jsonModeRejected.compareAndSet(false, true)) {
            LOG.warn("{} rejected response_format (HTTP {}: {}); sending requests without it from now on",
                uri, status, message);
          }
          jsonModeFallbacks.increment();
          json = false;
          attempt--; // the same attempt again, without response_format
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
        if (asked.isPresent()) {
          boolean capped = asked.get().compareTo(config.maxRetryAfter()) > 0;
          wait = capped ? config.maxRetryAfter() : asked.get();
          why = "the server asked for Retry-After " + seconds(asked.get())
              + (capped ? ", capped at " + seconds(config.maxRetryAfter()) + " (LlmConfig.maxRetryAfter)" : "");
        } else {
          wait = backoff(attempt);
          why = "backoff";
        }
      } catch (ReplyTooLargeException e) {
        throw new LlmException("reply from " + uri + " " + e.getMessage() + " (LlmConfig.maxReplyBytes); not "
            + "retried", status, false, e);
      } catch (HttpTimeoutException e) {
        timeouts.increment();
        cause = e;
        failure = e instanceof HttpConnectTimeoutException ? "connect timeout after " + seconds(config.connectTimeout())
            : "no reply within " + seconds(attemptTimeout);
        wait = backoff(attempt);
        why = "backoff";
      } catch (IOException e) {
        connectionErrors.increment();
        cause = withoutKey(e);
        failure = (e instanceof ConnectException ? "cannot connect: " : "connection error: ")
            + config.redact(describe(e));
        wait = backoff(attempt);
        why = "backoff";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LlmException("interrupted while calling " + uri, -1, false, e);
      }
      if (attempt >= config.maxRetries()) {
        throw new LlmException("gave up on " + uri + " after " + attempts(attempt + 1) + "; last: " + failure,
            status, true, cause);
      }
      left = deadline - System.nanoTime();
      if (left <= 0) {
        throw budgetSpent(attempt + 1, failure, status, cause);
      }
      if (wait.toNanos() >= left) {
        throw new LlmException("gave up on " + uri + " after " + attempts(attempt + 1) + ": waiting "
            + seconds(wait) + " (" + why + ") would pass the call's time budget of " + seconds(config.callTimeout())
            + " (LlmConfig.callTimeout); last: " + failure, status, true, cause);
      }
      if (wait.compareTo(LOUD_WAIT) >= 0) {
        LOG.warn("{}: {}; waiting {} before retry {} of {} ({})", uri, failure, seconds(wait), attempt + 1,
            config.maxRetries(), why);
      } else {
        LOG.debug("{}: {}; waiting {} ms before retry {} of {} ({})", uri, failure, wait.toMillis(), attempt + 1,
            config.maxRetries(), why);
      }
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LlmException("interrupted while waiting to retry " + uri, -1, false, e);
      }
      last = failure;
      lastStatus = status;
      lastCause = cause;
    }
  }

  private LlmException budgetSpent(int attempts, @Nullable String last, int status, @Nullable Throwable cause) {
    return new LlmException("no reply from " + uri + " within the call's time budget of "
        + seconds(config.callTimeout()) + " (LlmConfig.callTimeout) after " + attempts(attempts) + "; last: " + last,
        status, true, cause);
  }

  private static String attempts(int n) {
    return n == 1 ? "1 attempt" : n + " attempts";
  }

  /** A duration for messages: {@code 1.5 s}. */
  private static String seconds(Duration d) {
    return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
  }

  /**
   * Sends one HTTP request with a deadline for the whole reply (headers and body, at most {@code timeout}
   * plus the connect timeout, never past {@code deadline}); the body is read as it streams in and given up
   * past {@link LlmConfig#maxReplyBytes}. The body returned has the API key redacted.
   */
  private HttpResponse<String> exchange(String body, Duration timeout, long deadline)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    if (config.apiKey() != null) {
      b.header("Authorization", "Bearer " + config.apiKey());
    }
    CompletableFuture<HttpResponse<String>> future = http.sendAsync(b.build(),
        info -> new CappedBody(config.maxReplyBytes(), info.headers().firstValueAsLong("Content-Length").orElse(-1),
            config::redact));
    long wait = Math.min(timeout.toNanos() + config.connectTimeout().toNanos(), deadline - System.nanoTime());
    try {
      // The request timeout covers the wait for the headers; this deadline also covers the body.
      return future.get(Math.max(wait, 0), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new HttpTimeoutException("no reply within " + seconds(timeout));
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        if (c instanceof ReplyTooLargeException tooLarge) {
          throw tooLarge;
        }
      }
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

  /** A reply body longer than {@link LlmConfig#maxReplyBytes}; never retried. */
  private static final class ReplyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    ReplyTooLargeException(String message) {
      super(message);
    }
  }

  /**
   * Collects a body of at most {@code max} bytes as it streams in; past that (or when the declared length
   * is already more) it cancels the stream, which closes the connection, and fails with {@link
   * ReplyTooLargeException}. Decodes UTF-8 and redacts at the end.
   */
  private static final class CappedBody implements HttpResponse.BodySubscriber<String> {
    private final long max;
    private final long declared;
    private final UnaryOperator<String> redact;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.@Nullable Subscription subscription;

    CappedBody(long max, long declared, UnaryOperator<String> redact) {
      this.max = max;
      this.declared = declared;
      this.redact = redact;
    }

    @Override
    public CompletionStage<String> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      if (declared > max) {
        s.cancel();
        result.completeExceptionally(new ReplyTooLargeException(
            "declares " + declared + " bytes (Content-Length), more than the limit of " + max + " bytes"));
        return;
      }
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      if (result.isDone()) {
        return;
      }
      Flow.Subscription s = checkNotNull(subscription, "subscription");
      for (ByteBuffer buffer : buffers) {
        if (bytes.size() + (long) buffer.remaining() > max) {
          s.cancel();
          result.completeExceptionally(new ReplyTooLargeException(
              "is longer than the limit of " + max + " bytes (stopped reading there)"));
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.writeBytes(chunk);
      }
      s.request(1);
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(redact.apply(bytes.toString(StandardCharsets.UTF_8)));
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

  /**
   * {@code choices[0].message.content} with the API key redacted; empty when the server gave no text (e.g.
   * content null). {@code body} is already redacted.
   */
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
        return content != null && content.isJsonPrimitive() ? config.redact(content.getAsString()) : "";
      }
    }
    throw new LlmException("reply from " + uri + " has no choices[0].message: " + abbreviate(body), 200, false, null);
  }

  /**
   * The server's error message from an error body: OpenAI {@code {"error":{"message":...}}}, TGI
   * {@code {"error":"..."}}, vLLM {@code {"message":...}}, FastAPI {@code {"detail":...}}, else the raw body;
   * {@code redact} is applied before it is cut to {@value #MAX_MESSAGE_CHARS} characters (so that no piece
   * of a secret survives the cut).
   */
  static String serverMessage(String body, UnaryOperator<String> redact) {
    try {
      JsonElement root = JsonParser.parseString(body);
      if (root.isJsonObject()) {
        JsonObject o = root.getAsJsonObject();
        JsonElement error = o.get("error");
        if (error != null && error.isJsonObject() && error.getAsJsonObject().get("message") != null) {
          return abbreviate(redact.apply(text(error.getAsJsonObject().get("message"))));
        }
        for (String field : new String[] {"error", "message", "detail"}) {
          if (o.get(field) != null && !o.get(field).isJsonNull()) {
            return abbreviate(redact.apply(text(o.get(field))));
          }
        }
      }
    } catch (RuntimeException notJson) {
      // fall back to the raw body
    }
    return body.isBlank() ? "(empty body)" : abbreviate(redact.apply(body.strip()));
  }

  private static String text(JsonElement e) {
    return e.isJsonPrimitive() ? e.getAsString() : e.toString();
  }

  private static String abbreviate(String s) {
    return s.length() <= MAX_MESSAGE_CHARS ? s : s.substring(0, MAX_MESSAGE_CHARS) + "...";
  }

  /**
   * {@code e} itself, or, when the API key appears in a message of its cause chain (the JDK quotes a
   * malformed status line or header, which a hostile server can fill with the echoed key), an IOException
   * with the redacted description and {@code e}'s stack trace.
   */
  private IOException withoutKey(IOException e) {
    String key = config.apiKey();
    for (Throwable c = e; key != null && c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m != null && m.contains(key)) {
        IOException clean = new IOException(config.redact(describe(e)));
        clean.setStackTrace(e.getStackTrace());
        return clean;
      }
    }
    return e;
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

  /** The Retry-After header as seconds (decimals accepted) or an HTTP date, as asked (not capped). */
  static Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").flatMap(OpenAiChatClient::parseRetryAfter);
  }

  /** A Retry-After value as a duration; empty when it is neither seconds >= 0 nor an HTTP date. */
  static Optional<Duration> parseRetryAfter(String value) {
    String v = value.strip();
    try {
      double seconds = Double.parseDouble(v);
      if (!(seconds >= 0) || Double.isInfinite(seconds)) {
        return Optional.empty();
      }
      // Beyond 30 years the exact value does not matter (and a Duration in nanoseconds overflows at 292).
      return Optional.of(Duration.ofMillis(Math.round(Math.min(seconds, 1e9) * 1000)));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
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
