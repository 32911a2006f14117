package io.cxpulse.jobs.alerts;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how {@link WebhookSink} POSTs alerts.
 *
 * <p>The URL often carries a secret (a Slack incoming webhook's path is its token), so nothing here
 * ever prints it: {@link #toString} and {@link #endpoint} show only scheme, host and port, and a
 * malformed URL is rejected without echoing it.
 *
 * @param url http or https URL the alerts are POSTed to
 * @param timeout connect timeout and the timeout of each request
 * @param maxAttempts attempts per alert, the first included (1 = no retries)
 * @param initialBackoff wait before the first retry; it doubles for each further one
 * @param queueCapacity alerts waiting to be sent; beyond it new alerts are dropped
 */
public record WebhookOptions(
    URI url, Duration timeout, int maxAttempts, Duration initialBackoff, int queueCapacity)
    implements Serializable {

  /** Default connect and request timeout, as text for the {@code --alert-webhook-timeout} flag. */
  public static final String DEFAULT_TIMEOUT_TEXT = "PT5S";

  /** Default connect and request timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.parse(DEFAULT_TIMEOUT_TEXT);

  /** Default attempts per alert: the first and up to four retries after 1, 2, 4 and 8 s. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;

  /** Default wait before the first retry. */
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);

  /** Default number of alerts that may wait for the sender. */
  public static final int DEFAULT_QUEUE_CAPACITY = 1000;

  /** Validates; the URL must be absolute http(s) with a host. */
  public WebhookOptions {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new IllegalArgumentException(
          "the alert webhook URL must be an absolute http or https URL with a host");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("webhook timeout must be positive, got " + timeout);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("webhook max attempts must be >= 1, got " + maxAttempts);
    }
    if (initialBackoff.isNegative()) {
      throw new IllegalArgumentException("webhook backoff must not be negative");
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException(
          "webhook queue capacity must be >= 1, got " + queueCapacity);
    }
  }

  /**
   * Options for {@code url} with the defaults.
   *
   * @throws IllegalArgumentException if it is not an http(s) URL; the message does not repeat it
   */
  public static WebhookOptions of(String url) {
    Objects.requireNonNull(url, "url");
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      // Not e.getMessage(): it quotes the URL, token and all.
      throw new IllegalArgumentException(
          "the alert webhook URL is not a valid URI (at index " + e.getIndex() + ")");
    }
    return new WebhookOptions(
        uri,
        DEFAULT_TIMEOUT,
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_INITIAL_BACKOFF,
        DEFAULT_QUEUE_CAPACITY);
  }

  /** These options with another connect and request timeout. */
  public WebhookOptions withTimeout(Duration timeout) {
    return new WebhookOptions(url, timeout, maxAttempts, initialBackoff, queueCapacity);
  }

  /** These options with another number of attempts per alert. */
  public WebhookOptions withMaxAttempts(int maxAttempts) {
    return new WebhookOptions(url, timeout, maxAttempts, initialBackoff, queueCapacity);
  }

  /** These options with another wait before the first retry. */
  public WebhookOptions withInitialBackoff(Duration initialBackoff) {
    return new WebhookOptions(url, timeout, maxAttempts, initialBackoff, queueCapacity);
  }

  /** These options with another queue capacity. */
  public WebhookOptions withQueueCapacity(int queueCapacity) {
    return new WebhookOptions(url, timeout, maxAttempts, initialBackoff, queueCapacity);
  }

  /**
   * {@code scheme://host:port} of the URL, without user info, path or query: what logs may show.
   */
  public String endpoint() {
    int port = url.getPort();
    if (port < 0) {
      port = url.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }
    return url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getHost() + ":" + port;
  }

  /**
   * The wait before retry number {@code retry} (1 for the first): the initial backoff doubled for
   * each retry after the first, at most {@code 2^20} times it.
   */
  public Duration backoff(int retry) {
    return initialBackoff.multipliedBy(1L << Math.min(Math.max(retry - 1, 0), 20));
  }

  /** Without the URL's path, query and user info, which may hold a token. */
  @Override
  public String toString() {
    return "WebhookOptions[endpoint="
        + endpoint()
        + ", timeout="
        + timeout
        + ", maxAttempts="
        + maxAttempts
        + ", initialBackoff="
        + initialBackoff
        + ", queueCapacity="
        + queueCapacity
        + "]";
  }
}
