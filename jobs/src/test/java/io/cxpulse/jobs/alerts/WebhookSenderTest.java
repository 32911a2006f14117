package io.cxpulse.jobs.alerts;

import static io.cxpulse.jobs.alerts.WebhookReceiver.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WebhookSender} against a real HTTP receiver on loopback: delivery, retries, what is not
 * retried, and that a dead, hanging or slow receiver never holds the caller up.
 */
class WebhookSenderTest {

  /** A path like a Slack webhook's: the token that must never reach a log. */
  private static final String SECRET_PATH = "/services/T000/B000/s3cr3t-t0k3n";

  private final CountingCounters counters = new CountingCounters();
  private WebhookReceiver receiver;
  private WebhookSender sender;

  @AfterEach
  void stop() {
    if (sender != null) {
      sender.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  /** Quick retries and timeouts, so the tests wait milliseconds where production waits seconds. */
  private static WebhookOptions fast(URI url) {
    return new WebhookOptions(url, Duration.ofMillis(500), 5, Duration.ofMillis(10), 1000);
  }

  @Test
  void deliversTheAlertAsJsonPost() throws Exception {
    receiver = WebhookReceiver.start();
    sender = new WebhookSender(fast(receiver.url(SECRET_PATH)), counters);

    assertThat(sender.offer("a1 FIRING", AlertRecords.webhookJson(TestAlerts.NPS_FIRING))).isTrue();
    await("delivery", () -> counters.sent.get() == 1);

    assertThat(receiver.requests())
        .singleElement()
        .satisfies(
            request -> {
              assertThat(request.method()).isEqualTo("POST");
              assertThat(request.path()).isEqualTo(SECRET_PATH);
              assertThat(request.contentType()).isEqualTo("application/json");
              JsonNode body = new ObjectMapper().readTree(request.body());
              assertThat(body.get("text").asText()).endsWith(TestAlerts.NPS_FIRING.summary());
              assertThat(body.get("alert_id").asText()).isEqualTo(TestAlerts.NPS_FIRING.alertId());
              assertThat(body.get("status").asText()).isEqualTo("FIRING");
              assertThat(body.get("severity").asText()).isEqualTo("CRITICAL");
              assertThat(body.get("p_value").asDouble()).isEqualTo(0.0042);
            });
    assertThat(counters.retried.get()).isZero();
    assertThat(counters.failed.get()).isZero();
  }

  @Test
  void retriesServiceUnavailableAndDeliversOnce() throws Exception {
    receiver = WebhookReceiver.start().answer(503, 503);
    sender = new WebhookSender(fast(receiver.url("/hook")), counters);

    sender.offer("a1 FIRING", "{\"text\":\"x\"}");
    await("delivery", () -> counters.sent.get() == 1);

    assertThat(receiver.requests()).hasSize(3);
    assertThat(counters.retried.get()).isEqualTo(2);
    assertThat(counters.failed.get()).isZero();
  }

  @Test
  void retriesTooManyRequests() throws Exception {
    receiver = WebhookReceiver.start().answer(429);
    sender = new WebhookSender(fast(receiver.url("/hook")), counters);

    sender.offer("a1 FIRING", "{}");
    await("delivery", () -> counters.sent.get() == 1);

    assertThat(receiver.requests()).hasSize(2);
    assertThat(counters.retried.get()).isEqualTo(1);
  }

  @Test
  void badRequestIsNotRetriedAndTheNextAlertStillGoesOut() throws Exception {
    receiver = WebhookReceiver.start().answer(400);
    sender = new WebhookSender(fast(receiver.url("/hook")), counters);

    sender.offer("a1 FIRING", "{\"n\":1}");
    sender.offer("a2 FIRING", "{\"n\":2}");
    await("both settled", () -> counters.settled() == 2);

    // In order: the rejected body once, then the next one; no second try of the first.
    assertThat(receiver.requests())
        .extracting(WebhookReceiver.Request::body)
        .containsExactly("{\"n\":1}", "{\"n\":2}");
    assertThat(counters.failed.get()).isEqualTo(1);
    assertThat(counters.sent.get()).isEqualTo(1);
    assertThat(counters.retried.get()).isZero();
  }

  @Test
  void givesUpAfterMaxAttempts() throws Exception {
    receiver = WebhookReceiver.start().answer(500, 500, 500, 500, 500, 500);
    sender = new WebhookSender(fast(receiver.url("/hook")).withMaxAttempts(3), counters);

    sender.offer("a1 FIRING", "{}");
    await("giving up", () -> counters.failed.get() == 1);

    assertThat(receiver.requests()).hasSize(3);
    assertThat(counters.retried.get()).isEqualTo(2);
    assertThat(counters.sent.get()).isZero();
  }

  @Test
  void deadReceiverNeverHoldsUpTheCallerNorClose() throws Exception {
    URI closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = URI.create("http://127.0.0.1:" + socket.getLocalPort() + SECRET_PATH);
    }
    // Production timeouts and backoff: a caller waiting for any of them would take minutes.
    sender = new WebhookSender(WebhookOptions.of(closedPort.toString()), counters);

    offerInTheBackground(100);
    runWithin30Seconds(sender::close);

    assertThat(counters.sent.get()).isZero();
    assertThat(counters.settled()).isEqualTo(100);
  }

  @Test
  void hangingReceiverNeverHoldsUpTheCallerNorClose() throws Exception {
    receiver = WebhookReceiver.start().hang();
    sender = new WebhookSender(WebhookOptions.of(receiver.url(SECRET_PATH).toString()), counters);

    offerInTheBackground(100);
    await("the first request to arrive", () -> !receiver.requests().isEmpty());
    runWithin30Seconds(sender::close);

    assertThat(counters.sent.get()).isZero();
    assertThat(counters.settled()).isEqualTo(100);
  }

  @Test
  void hangingReceiverTimesOutAndIsRetried() throws Exception {
    receiver = WebhookReceiver.start().hang();
    sender =
        new WebhookSender(
            new WebhookOptions(
                receiver.url("/hook"), Duration.ofMillis(200), 2, Duration.ofMillis(10), 10),
            counters);

    sender.offer("a1 FIRING", "{}");
    await("timeouts and giving up", () -> counters.failed.get() == 1);

    assertThat(receiver.requests()).hasSize(2);
    assertThat(counters.retried.get()).isEqualTo(1);
  }

  @Test
  void fullQueueDropsAndCountsNewAlerts() throws Exception {
    receiver = WebhookReceiver.start().hang();
    sender =
        new WebhookSender(
            WebhookOptions.of(receiver.url("/hook").toString()).withQueueCapacity(5), counters);

    sender.offer("first", "{}");
    await("the first request to hang", () -> receiver.requests().size() == 1);
    AtomicInteger refused = new AtomicInteger();
    for (int i = 0; i < 20; i++) {
      if (!sender.offer("a" + i, "{}")) {
        refused.incrementAndGet();
      }
    }

    // One in flight, five queued, the other fifteen dropped on arrival.
    assertThat(refused.get()).isEqualTo(15);
    assertThat(counters.dropped.get()).isEqualTo(15);
    assertThat(sender.queued()).isEqualTo(5);
  }

  @Test
  void closeDeliversWhatIsQueuedToALiveReceiver() throws Exception {
    receiver = WebhookReceiver.start();
    sender = new WebhookSender(fast(receiver.url("/hook")), counters);

    for (int i = 0; i < 3; i++) {
      sender.offer("a" + i, "{\"n\":" + i + "}");
    }
    sender.close();

    assertThat(counters.sent.get()).isEqualTo(3);
    assertThat(receiver.requests()).hasSize(3);
    assertThat(sender.offer("late", "{}")).isFalse();
    assertThat(counters.dropped.get()).isEqualTo(1);
  }

  @Test
  void closeStopsTheSenderThread() throws Exception {
    receiver = WebhookReceiver.start();
    WebhookOptions options = fast(receiver.url("/hook"));
    sender = new WebhookSender(options, counters);
    String name = "alert-webhook-sender " + options.endpoint();
    assertThat(Thread.getAllStackTraces().keySet())
        .anySatisfy(thread -> assertThat(thread.getName()).isEqualTo(name));

    runWithin30Seconds(sender::close);

    assertThat(Thread.getAllStackTraces().keySet())
        .noneSatisfy(thread -> assertThat(thread.getName()).isEqualTo(name));
  }

  @Test
  void logsNameTheEndpointButNeverThePathWithItsToken() throws Exception {
    receiver = WebhookReceiver.start().answer(500, 400);
    try (CapturedLogs logs = new CapturedLogs(WebhookSender.class)) {
      sender =
          new WebhookSender(
              fast(receiver.url(SECRET_PATH + "?token=qu3ry-s3cr3t")).withQueueCapacity(1),
              counters);
      sender.offer("a1 FIRING", "{}");
      await("giving up", () -> counters.failed.get() == 1);
      receiver.hang();
      sender.offer("a2 FIRING", "{}");
      await("the hanging request", () -> receiver.requests().size() == 3);
      sender.offer("a3 FIRING", "{}");
      sender.offer("a4 FIRING", "{}");
      sender.close();

      String text = logs.text();
      int port = receiver.url("/").getPort();
      assertThat(text)
          .contains("http://127.0.0.1:" + port)
          .contains("HTTP 500")
          .contains("gave up on a1 FIRING")
          .contains("queue full")
          .contains("unsent")
          .doesNotContain("s3cr3t")
          .doesNotContain("/services");
    }
  }

  private void offerInTheBackground(int alerts) throws Exception {
    String json = AlertRecords.webhookJson(TestAlerts.NPS_FIRING);
    runWithin30Seconds(
        () -> {
          for (int i = 0; i < alerts; i++) {
            sender.offer("a" + i + " FIRING", json);
          }
        });
  }

  // Generous: proves "does not wait for the receiver" (which would take minutes with production
  // timeouts and backoff) without depending on how fast this machine is.
  private static void runWithin30Seconds(Runnable action) throws Exception {
    CompletableFuture.runAsync(action).get(30, TimeUnit.SECONDS);
  }
}
