package dev.kalm.data.synth.llm;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How to reach an OpenAI-compatible chat completions server and how hard to try. Immutable; build with
 * {@link #builder}. {@link #toString()} never shows the API key.
 *
 * @param endpoint the API base, e.g. {@code http://127.0.0.1:8000/v1}; requests go to
 *     {@code {endpoint}/chat/completions} (an endpoint that already ends in {@code /chat/completions} is used as is)
 * @param model the model name the server expects
 * @param apiKey sent as {@code Authorization: Bearer ...}, or null for none
 * @param connectTimeout the longest wait for a TCP connection
 * @param requestTimeout the longest wait for a whole reply, from sending to the last byte
 * @param maxRetries how many times a request is repeated after a transient failure (connection error,
 *     timeout, 429, 5xx); 0 = never
 * @param initialBackoff the wait before the first retry; it doubles per retry up to {@code maxBackoff},
 *     with random jitter (a factor in [0.5, 1]); a {@code Retry-After} header overrides it
 * @param maxBackoff the longest computed wait between retries
 * @param maxInFlight the most requests in flight at once over all threads (callers beyond it block)
 * @param requestsPerSecond the most requests started per second over all threads (retries count), or 0
 *     for no limit
 * @param jsonModeFallback when a server answers 400/422 naming {@code response_format}, resend without
 *     it and stop sending it (true), or fail (false)
 * @param maxReplyBytes the largest reply body read, in bytes; a longer body (declared or streamed) fails
 *     that call at once with an {@link LlmException} saying so, without being retried, and at most this
 *     many bytes per request in flight are ever held in memory
 * @param maxRetryAfter the longest wait a {@code Retry-After} header may impose before a retry; a server
 *     asking for more is retried after this long instead
 * @param callTimeout the time budget of one {@link LlmClient#chat} call: all its attempts and the waits
 *     between them together; an attempt gets at most what is left of it, and a wait that would end past
 *     it ends the call at once
 */
public record LlmConfig(
    URI endpoint,
    String model,
    @Nullable String apiKey,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxRetries,
    Duration initialBackoff,
    Duration maxBackoff,
    int maxInFlight,
    double requestsPerSecond,
    boolean jsonModeFallback,
    long maxReplyBytes,
    Duration maxRetryAfter,
    Duration callTimeout) {

  /** The default of {@link #maxReplyBytes()}: 4 MiB, some hundred times a long chat completion. */
  public static final long DEFAULT_MAX_REPLY_BYTES = 4L << 20;

  /** The environment variable the CLI reads the API key from. */
  public static final String API_KEY_ENV = "KALM_LLM_API_KEY";

  /** What the API key is replaced with wherever kalm would otherwise print or return it. */
  public static final String REDACTED = "***";

  public LlmConfig {
    checkNotNull(endpoint, "endpoint");
    checkNotNull(model, "model");
    checkArgument("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()),
        "endpoint must be an http or https URL, got %s", endpoint);
    checkArgument(endpoint.getHost() != null, "endpoint must name a host, got %s", endpoint);
    checkArgument(!model.isBlank(), "model must not be blank");
    checkArgument(apiKey == null || !apiKey.isBlank(), "apiKey must be null or not blank");
    checkPositive(connectTimeout, "connectTimeout");
    checkPositive(requestTimeout, "requestTimeout");
    checkArgument(maxRetries >= 0 && maxRetries <= 100, "maxRetries must be in [0, 100], got %s", maxRetries);
    checkNotNull(initialBackoff, "initialBackoff");
    checkNotNull(maxBackoff, "maxBackoff");
    checkArgument(!initialBackoff.isNegative(), "initialBackoff must not be negative, got %s", initialBackoff);
    checkArgument(maxBackoff.compareTo(initialBackoff) >= 0,
        "maxBackoff must be at least initialBackoff (%s), got %s", initialBackoff, maxBackoff);
    checkArgument(maxInFlight >= 1 && maxInFlight <= 4096, "maxInFlight must be in [1, 4096], got %s", maxInFlight);
    checkArgument(requestsPerSecond >= 0 && Double.isFinite(requestsPerSecond),
        "requestsPerSecond must be >= 0 (0 = no limit), got %s", requestsPerSecond);
    checkArgument(maxReplyBytes >= 1024 && maxReplyBytes <= Integer.MAX_VALUE - 8,
        "maxReplyBytes must be in [1024, 2^31 - 9], got %s", maxReplyBytes);
    checkNotNull(maxRetryAfter, "maxRetryAfter");
    checkArgument(!maxRetryAfter.isNegative(), "maxRetryAfter must not be negative, got %s", maxRetryAfter);
    checkPositive(callTimeout, "callTimeout");
  }

  /**
   * {@code text} with every occurrence of the API key replaced by {@value #REDACTED}; {@code text} itself
   * when there is no key. Applied by the client to everything a server sends back (a server may echo the
   * {@code Authorization} header in an error message or even in a reply).
   */
  public String redact(String text) {
    return apiKey == null ? text : text.replace(apiKey, REDACTED);
  }

  private static void checkPositive(Duration d, String name) {
    checkNotNull(d, name);
    checkArgument(!d.isNegative() && !d.isZero(), "%s must be positive, got %s", name, d);
  }

  /** The URL requests are posted to: {@code {endpoint}/chat/completions}. */
  public URI chatCompletionsUri() {
    String base = endpoint.toString();
    if (base.endsWith("/chat/completions")) {
      return endpoint;
    }
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    return URI.create(base + "/chat/completions");
  }

  /**
   * A builder with defaults: no API key, connect timeout 10 s, request timeout 120 s, 5 retries, backoff
   * 1 s doubling up to 60 s, 8 requests in flight, no rate limit, JSON-mode fallback on, replies of at
   * most 4 MiB, Retry-After honoured up to 60 s, 15 minutes per call.
   */
  public static Builder builder(URI endpoint, String model) {
    return new Builder(endpoint, model);
  }

  /** This configuration as a builder, to change a few fields. */
  public Builder toBuilder() {
    Builder b = new Builder(endpoint, model);
    b.apiKey = apiKey;
    b.connectTimeout = connectTimeout;
    b.requestTimeout = requestTimeout;
    b.maxRetries = maxRetries;
    b.initialBackoff = initialBackoff;
    b.maxBackoff = maxBackoff;
    b.maxInFlight = maxInFlight;
    b.requestsPerSecond = requestsPerSecond;
    b.jsonModeFallback = jsonModeFallback;
    b.maxReplyBytes = maxReplyBytes;
    b.maxRetryAfter = maxRetryAfter;
    b.callTimeout = callTimeout;
    return b;
  }

  @Override
  public String toString() {
    return "LlmConfig[endpoint=" + endpoint + ", model=" + model + ", apiKey=" + (apiKey == null ? "none" : "***")
        + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout + ", maxRetries=" + maxRetries
        + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff + ", maxInFlight=" + maxInFlight
        + ", requestsPerSecond=" + requestsPerSecond + ", jsonModeFallback=" + jsonModeFallback
        + ", maxReplyBytes=" + maxReplyBytes + ", maxRetryAfter=" + maxRetryAfter + ", callTimeout=" + callTimeout + "]";
  }

  /** Builder for {@link LlmConfig}; not thread safe. {@link #build()} validates. */
  public static final class Builder {
    private final URI endpoint;
    private final String model;
    private @Nullable String apiKey;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(120);
    private int maxRetries = 5;
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofSeconds(60);
    private int maxInFlight = 8;
    private double requestsPerSecond;
    private boolean jsonModeFallback = true;
    private long maxReplyBytes = DEFAULT_MAX_REPLY_BYTES;
    private Duration maxRetryAfter = Duration.ofSeconds(60);
    private Duration callTimeout = Duration.ofMinutes(15);

    private Builder(URI endpoint, String model) {
      this.endpoint = endpoint;
      this.model = model;
    }

    /** The API key, or null for none. */
    public Builder optApiKey(@Nullable String key) {
      this.apiKey = key;
      return this;
    }

    /** The API key from the environment variable {@value #API_KEY_ENV} when it is set and not blank. */
    public Builder optApiKeyFromEnvironment() {
      String key = System.getenv(API_KEY_ENV);
      this.apiKey = key == null || key.isBlank() ? null : key.strip();
      return this;
    }

    /** The longest wait for a connection (default 10 s). */
    public Builder optConnectTimeout(Duration d) {
      this.connectTimeout = d;
      return this;
    }

    /** The longest wait for a whole reply (default 120 s). */
    public Builder optRequestTimeout(Duration d) {
      this.requestTimeout = d;
      return this;
    }

    /** Retries after transient failures (default 5). */
    public Builder optMaxRetries(int n) {
      this.maxRetries = n;
      return this;
    }

    /** The first retry wait and the cap of the doubling waits (defaults 1 s and 60 s). */
    public Builder optBackoff(Duration initial, Duration max) {
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** The most requests in flight at once (default 8). */
    public Builder optMaxInFlight(int n) {
      this.maxInFlight = n;
      return this;
    }

    /** The most requests started per second, 0 for no limit (default 0). */
    public Builder optRequestsPerSecond(double r) {
      this.requestsPerSecond = r;
      return this;
    }

    /** Whether to resend without {@code response_format} when the server rejects it (default true). */
    public Builder optJsonModeFallback(boolean on) {
      this.jsonModeFallback = on;
      return this;
    }

    /** The largest reply body read, in bytes (default 4 MiB; at least 1024). */
    public Builder optMaxReplyBytes(long bytes) {
      this.maxReplyBytes = bytes;
      return this;
    }

    /** The longest wait a {@code Retry-After} header may impose (default 60 s; zero retries at once). */
    public Builder optMaxRetryAfter(Duration d) {
      this.maxRetryAfter = d;
      return this;
    }

    /** The time budget of one chat call, attempts and waits together (default 15 minutes). */
    public Builder optCallTimeout(Duration d) {
      this.callTimeout = d;
      return this;
    }

    /** The configuration. @throws IllegalArgumentException naming the bad field */
    public LlmConfig build() {
      return new LlmConfig(endpoint, model, apiKey, connectTimeout, requestTimeout, maxRetries, initialBackoff,
          maxBackoff, maxInFlight, requestsPerSecond, jsonModeFallback, maxReplyBytes, maxRetryAfter, callTimeout);
    }
  }
}
