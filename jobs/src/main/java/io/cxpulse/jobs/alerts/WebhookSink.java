package io.cxpulse.jobs.alerts;

import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink sink that POSTs each alert as JSON ({@link AlertRecords#webhookJson}) to a webhook, e.g.
 * a Slack incoming webhook or an Alertmanager-style receiver, through a {@link WebhookSender} per
 * writer.
 *
 * <p>It never blocks or fails the job: {@code write} only queues (and drops when the queue is
 * full), {@code flush} returns at once, so a checkpoint never waits for a slow or dead receiver,
 * and {@code close} is bounded. The price is at-most-once delivery (see {@link WebhookSender}):
 * alerts queued when a task stops are lost to the webhook, and a restore from a checkpoint does not
 * send again the alerts of the replayed part. The Kafka topic and the ClickHouse table are the
 * durable, at-least-once records.
 *
 * <p>Metrics per writer (operator scope): {@value #SENT}, {@value #FAILED}, {@value #DROPPED},
 * {@value #RETRIES} (counters) and {@value #QUEUED} (gauge).
 */
public final class WebhookSink implements Sink<Alert> {

  private static final long serialVersionUID = 1L;

  /** Counter: alerts the receiver accepted (2xx). */
  public static final String SENT = "alertWebhookSent";

  /** Counter: alerts given up on (non-retryable answer, or attempts exhausted). */
  public static final String FAILED = "alertWebhookFailed";

  /** Counter: alerts dropped unsent (queue full, or still queued when the writer closed). */
  public static final String DROPPED = "alertWebhookDropped";

  /** Counter: failed attempts that were retried. */
  public static final String RETRIES = "alertWebhookRetries";

  /** Gauge: alerts waiting in the writer's queue. */
  public static final String QUEUED = "alertWebhookQueued";

  private static final Logger LOG = LoggerFactory.getLogger(WebhookSink.class);

  private final WebhookOptions options;

  /** A sink POSTing to the webhook of {@code options}. */
  public WebhookSink(WebhookOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  /** Where this sink POSTs (its toString shows no secrets). */
  public WebhookOptions options() {
    return options;
  }

  @Override
  public SinkWriter<Alert> createWriter(WriterInitContext context) {
    return new Writer(options, context.metricGroup());
  }

  /** Renders and queues; the sender thread does the rest. */
  private static final class Writer implements SinkWriter<Alert> {

    private final WebhookSender sender;
    private final Counter failed;

    Writer(WebhookOptions options, MetricGroup metrics) {
      // Thread-safe counters: the sender thread and the task thread both count.
      Counter sent = metrics.counter(SENT, new ThreadSafeSimpleCounter());
      this.failed = metrics.counter(FAILED, new ThreadSafeSimpleCounter());
      Counter dropped = metrics.counter(DROPPED, new ThreadSafeSimpleCounter());
      Counter retries = metrics.counter(RETRIES, new ThreadSafeSimpleCounter());
      this.sender =
          new WebhookSender(
              options,
              new WebhookSender.Counters() {
                @Override
                public void sent() {
                  sent.inc();
                }

                @Override
                public void failed() {
                  failed.inc();
                }

                @Override
                public void dropped() {
                  dropped.inc();
                }

                @Override
                public void retried() {
                  retries.inc();
                }
              });
      metrics.gauge(QUEUED, sender::queued);
      LOG.info("Alert webhook sink started: {}", options);
    }

    @Override
    public void write(Alert alert, Context context) {
      String json;
      try {
        json = AlertRecords.webhookJson(alert);
      } catch (RuntimeException e) {
        // A bug in rendering must not fail the job: the alert is still in the topic and table.
        failed.inc();
        LOG.warn("Alert webhook: cannot render {} {}", alert.alertId(), alert.status(), e);
        return;
      }
      sender.offer(alert.alertId() + " " + alert.status(), json);
    }

    /** Returns at once: checkpoints never wait for the receiver (at-most-once, see the class). */
    @Override
    public void flush(boolean endOfInput) {}

    @Override
    public void close() {
      sender.close();
    }
  }
}
