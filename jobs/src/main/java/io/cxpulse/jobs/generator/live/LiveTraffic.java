package io.cxpulse.jobs.generator.live;

import io.cxpulse.jobs.generator.live.TrafficPlan.Kind;
import io.cxpulse.jobs.generator.live.TrafficPlan.Outgoing;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends generated traffic of one topic to Kafka in real time: each event is sent when the wall
 * clock reaches its generated event time (the generator yields them in event-time order), with what
 * {@link TrafficPlan} adds (jitter, bad records, duplicates). Runs on its own thread until {@link
 * #close()}.
 */
public final class LiveTraffic<T extends SpecificRecordBase> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LiveTraffic.class);

  private static final long MAX_SLEEP_MILLIS = 200;
  private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final Iterator<T> generator;
  private final TrafficPlan<T> plan;
  private final Thread thread;

  private final AtomicLong responses = new AtomicLong();
  private final AtomicLong badRecords = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - (1L << 62));
  private volatile boolean running = true;

  LiveTraffic(
      Producer<byte[], byte[]> producer, String topic, Iterator<T> generator, TrafficPlan<T> plan) {
    this.producer = producer;
    this.topic = topic;
    this.generator = generator;
    this.plan = plan;
    this.thread = new Thread(this::run, "cx-pulse-traffic-" + topic);
    this.thread.setDaemon(true);
  }

  /** A producer for byte-array records on {@code bootstrapServers}, idempotent, small batches. */
  static Producer<byte[], byte[]> producer(String bootstrapServers) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            ProducerConfig.CLIENT_ID_CONFIG, "cx-pulse-local-generator",
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.LINGER_MS_CONFIG, "20",
            ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000"),
        new ByteArraySerializer(),
        new ByteArraySerializer());
  }

  LiveTraffic<T> start() {
    thread.start();
    return this;
  }

  /** Counts of records Kafka acknowledged, by kind, and of failed sends. */
  public Counts counts() {
    return new Counts(responses.get(), badRecords.get(), duplicates.get(), failures.get());
  }

  private void run() {
    try {
      while (running) {
        T next = generator.next();
        if (!sleepUntil((Instant) next.get("event_time"))) {
          return;
        }
        for (Outgoing record : plan.recordsFor(next, Instant.now())) {
          send(record);
        }
      }
    } catch (RuntimeException e) {
      if (running) {
        LOG.error("The traffic generator stopped", e);
      }
    }
  }

  private boolean sleepUntil(Instant due) {
    while (running) {
      long millis = due.toEpochMilli() - System.currentTimeMillis();
      if (millis <= 0) {
        return true;
      }
      try {
        Thread.sleep(Math.min(millis, MAX_SLEEP_MILLIS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private void send(Outgoing record) {
    ProducerRecord<byte[], byte[]> kafkaRecord =
        new ProducerRecord<>(topic, record.key().getBytes(StandardCharsets.UTF_8), record.value());
    producer.send(
        kafkaRecord,
        (metadata, exception) -> {
          if (exception != null) {
            failures.incrementAndGet();
            logFailure(exception);
            return;
          }
          counter(record.kind()).incrementAndGet();
        });
  }

  private AtomicLong counter(Kind kind) {
    return switch (kind) {
      case RESPONSE -> responses;
      case BAD_RECORD -> badRecords;
      case DUPLICATE -> duplicates;
    };
  }

  private void logFailure(Exception exception) {
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if (now - last >= FAILURE_LOG_INTERVAL_NANOS && lastFailureLog.compareAndSet(last, now)) {
      LOG.warn(
          "Could not send to {} ({} failed so far): {}",
          topic,
          failures.get(),
          exception.toString());
    }
  }

  /** Stops sending, then flushes and closes the producer. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(TimeUnit.SECONDS.toMillis(15));
    if (thread.isAlive()) {
      thread.interrupt();
    }
    producer.close(Duration.ofSeconds(5));
    Counts sent = counts();
    LOG.info(
        "Traffic generator for {} stopped after {} records ({} bad, {} duplicates)",
        topic,
        sent.total(),
        sent.badRecords(),
        sent.duplicates());
  }

  /** What the generator sent so far, as acknowledged by Kafka. */
  public record Counts(long responses, long badRecords, long duplicates, long failures) {
    public static final Counts NONE = new Counts(0, 0, 0, 0);

    public long total() {
      return responses + badRecords + duplicates;
    }

    public Counts plus(Counts other) {
      return new Counts(
          responses + other.responses,
          badRecords + other.badRecords,
          duplicates + other.duplicates,
          failures + other.failures);
    }
  }
}
