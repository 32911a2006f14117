package io.cxpulse.jobs.alerts;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs JSON bodies to one webhook from a single daemon thread, so that the caller never waits for
 * the receiver: {@link #offer} only puts the body into a bounded queue, and drops it (counted,
 * logged) when the queue is full. No Flink types: {@link WebhookSink} wraps it, tests drive it
 * directly.
 *
 * <p>Delivery: each body is POSTed with {@code Content-Type: application/json} and the connect and
 * request timeout of {@link WebhookOptions}. A 2xx answer is a delivery. A 5xx or 429 answer, a
 * timeout or an I/O error (refused connection, reset) is retried after the options' exponential
 * backoff, up to {@link WebhookOptions#maxAttempts} attempts in all; any other answer (4xx, 3xx:
 * redirects are not followed) means the request itself is wrong and is not retried. Bodies go out
 * one at a time in queue order; a slow or dead receiver holds the queue up, and new alerts are
 * dropped once it is full. This is at most once: what is queued or being retried when {@link
 * #close} gives up is dropped, and a receiver that answered after the timeout may have received a
 * body the sender counts as failed or sends again, which receivers deduplicate by (alert_id,
 * status). The durable records of alerts are the Kafka topic and the ClickHouse table.
 *
 * <p>Logs name the receiver only as {@code scheme://host:port}: the URL's path may be a token.
 */
public final class WebhookSender implements AutoCloseable {

  /** What happened to the bodies, for metrics. Called from the caller's and the sender thread. */
  public interface Counters {
    /** A body was delivered (2xx). */
    void sent();

    /** A body was given up on: a non-retryable answer, or the attempts ran out. */
    void failed();

    /** A body was never (completely) tried: the queue was full, or the sender stopped first. */
    void dropped();

    /** An attempt failed and will be retried after the backoff. */
    void retried();
  }

  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);

  // How often an idle sender checks whether close() asked it to stop.
  private static final long POLL_MILLIS = 100;

  // How long close() waits for the thread after interrupting it (an interrupt ends a request or a
  // backoff at once, so this is only a safety net).
  private static final Duration STOP_WAIT = Duration.ofSeconds(2);

  private record Message(String label, String json) {}

  private final WebhookOptions options;
  private final Counters counters;
  private final ExecutorService httpExecutor;
  private final HttpClient client;
  private final String endpoint;
  private final BlockingQueue<Message> queue;
  private final Thread thread;
  private volatile boolean closing;

  /** Starts the sender thread for {@code options}; close it to stop the thread. */
  public WebhookSender(WebhookOptions options, Counters counters) {
    this.options = Objects.requireNonNull(options, "options");
    this.counters = Objects.requireNonNull(counters, "counters");
    this.endpoint = options.endpoint();
    // Our own executor, shut down on close: the client's default one would keep worker threads
    // (holding Flink's user-code class loader) until the client is garbage-collected.
    this.httpExecutor = Executors.newCachedThreadPool(daemonThreads("alert-webhook-http"));
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(options.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(httpExecutor)
            .build();
    this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
    // Daemon: a stuck receiver must never keep a task manager or a test JVM alive.
    this.thread = daemonThreads("alert-webhook-sender").newThread(this::run);
    thread.start();
  }

  /**
   * Queues {@code json} for sending and returns at once: false (and counts it as dropped, with a
   * WARN) when the queue is full or the sender is closed.
   *
   * @param label names the body in logs, e.g. the alert id and status; never a secret
   */
  public boolean offer(String label, String json) {
    if (closing) {
      counters.dropped();
      LOG.warn("Alert webhook {}: sender closed, dropped {}", endpoint, label);
      return false;
    }
    if (!queue.offer(new Message(label, json))) {
      counters.dropped();
      LOG.warn(
          "Alert webhook {}: queue full ({} waiting; receiver slow or down), dropped {}",
          endpoint,
          options.queueCapacity(),
          label);
      return false;
    }
    return true;
  }

  /** Bodies waiting in the queue (not counting one being sent). */
  public int queued() {
    return queue.size();
  }

  /**
   * Stops the sender: waits at most the options' timeout for the queue to empty (so a bounded job's
   * last alerts still reach a live receiver), then interrupts the request or backoff in progress
   * and drops what is left, counted and logged. Returns within about that timeout plus a few
   * seconds whatever the receiver does.
   */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    try {
      thread.join(options.timeout().toMillis());
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(STOP_WAIT.toMillis());
      }
    } catch (InterruptedException e) {
      thread.interrupt();
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("Alert webhook {}: sender thread did not stop; it is a daemon", endpoint);
    }
    httpExecutor.shutdownNow();
  }

  private ThreadFactory daemonThreads(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name + " " + endpoint);
      thread.setDaemon(true);
      return thread;
    };
  }

  private void run() {
    Message current = null;
    try {
      while (true) {
        current = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (current == null) {
          if (closing) {
            return;
          }
          continue;
        }
        deliver(current);
        current = null;
      }
    } catch (InterruptedException e) {
      // close() stopped waiting; fall through to count what is left.
    } finally {
      List<Message> unsent = new ArrayList<>();
      if (current != null) {
        unsent.add(current);
      }
      queue.drainTo(unsent);
      if (!unsent.isEmpty()) {
        unsent.forEach(message -> counters.dropped());
        LOG.warn(
            "Alert webhook {}: stopped with {} alert(s) unsent (at most once; they are in the"
                + " alert topic and table)",
            endpoint,
            unsent.size());
      }
    }
  }

  private void deliver(Message message) throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(options.url())
            .timeout(options.timeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(message.json(), StandardCharsets.UTF_8))
            .build();
    for (int attempt = 1; ; attempt++) {
      String problem;
      boolean retryable;
      try {
        int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status >= 200 && status < 300) {
          counters.sent();
          LOG.debug(
              "Alert webhook {}: delivered {} (HTTP {}, attempt {})",
              endpoint,
              message.label(),
              status,
              attempt);
          return;
        }
        problem = "HTTP " + status;
        retryable = status == 429 || status >= 500;
      } catch (IOException e) {
        problem = describe(e);
        retryable = true;
      } catch (RuntimeException e) {
        // Not expected from the client; never let it kill the thread (and with it all later
        // alerts).
        problem = describe(e);
        retryable = false;
      }
      if (!retryable || attempt >= options.maxAttempts()) {
        counters.failed();
        LOG.warn(
            "Alert webhook {}: gave up on {} after {} attempt(s): {}{}",
            endpoint,
            message.label(),
            attempt,
            problem,
            retryable ? "" : " (not retryable)");
        return;
      }
      counters.retried();
      Duration backoff = options.backoff(attempt);
      LOG.debug(
          "Alert webhook {}: {} for {}, retry {} in {}",
          endpoint,
          problem,
          message.label(),
          attempt,
          backoff);
      Thread.sleep(backoff.toMillis());
    }
  }

  // The exception and its root cause, e.g. "ConnectException (root: Connection refused)"; any
  // occurrence of the full URL is replaced by the endpoint, though the JDK client does not put it
  // into its messages.
  private String describe(Exception e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = e.getClass().getSimpleName() + ": " + e.getMessage();
    if (root != e) {
      text += " (root: " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return text.replace(options.url().toString(), endpoint);
  }
}
