package io.cxpulse.jobs.checkout;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.EndToEndEngines;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.generator.CheckoutScenario;
import io.cxpulse.jobs.generator.CheckoutScenario.ScenarioRecord;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.validation.RejectReason;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/**
 * The pieces the end-to-end checkout tests share: the real engines (an in-process Kafka broker and
 * the embedded ClickHouse engine with the migrations applied; only one engine per JVM, so start one
 * per test class and close it), a generated {@link CheckoutScenario} with every fate, producing it
 * to Kafka as the scenario prescribes (one partition, in order, the records' own timestamps),
 * reading the dead-letter topic back, and summing job counters.
 */
public final class CheckoutEndToEnd implements AutoCloseable {

  /** Window, disorder bound, allowed lateness, inactivity timeout: the job's and the scenario's. */
  public static final Duration WINDOW = Duration.ofMinutes(1);

  public static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);
  public static final Duration ALLOWED_LATENESS = Duration.ofHours(1);
  public static final Duration INACTIVITY_TIMEOUT = Duration.ofMinutes(30);

  /** Checkouts starting per second of event time: about 90 a minute, 5.5 events a second. */
  public static final double CHECKOUTS_PER_SECOND = 1.5;

  public static final String CHECKOUT_TOPIC = CheckoutJobOptions.DEFAULT_TOPIC;
  public static final String DEAD_LETTER_TOPIC = KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC;

  private final EndToEndEngines engines;

  private CheckoutEndToEnd(EndToEndEngines engines) {
    this.engines = engines;
  }

  /**
   * Starts ClickHouse in {@code clickHouseDir} with the schema migrated and a Kafka broker with the
   * checkout topic (one partition) and the dead-letter topic.
   */
  public static CheckoutEndToEnd start(Path clickHouseDir) throws Exception {
    return new CheckoutEndToEnd(
        EndToEndEngines.start(clickHouseDir, CHECKOUT_TOPIC, DEAD_LETTER_TOPIC));
  }

  public String bootstrapServers() {
    return engines.bootstrapServers();
  }

  public Connection connection() throws SQLException {
    return engines.connection();
  }

  /** The job options matching {@link #scenario}, against these engines, bounded. */
  public CheckoutJobOptions options(String groupId, RuntimeOptions runtime) {
    return new CheckoutJobOptions(
        new KafkaOptions(engines.bootstrapServers()),
        CHECKOUT_TOPIC,
        DEAD_LETTER_TOPIC,
        groupId,
        engines.clickHouseOptions(),
        new EventTimeOptions(
            WINDOW, OUT_OF_ORDERNESS, EventTimeOptions.DEFAULT_IDLENESS, ALLOWED_LATENESS),
        INACTIVITY_TIMEOUT,
        CheckoutJobOptions.DEFAULT_MAX_CHECKOUT_DURATION,
        EventGateOptions.DEFAULTS,
        runtime,
        WindowAggregation.DEFAULT_SALTS);
  }

  /**
   * A scenario of at least {@code events} generated checkout events (seeded, {@code hotShare} of
   * the checkouts on web × returning) with every fate, matching {@link #options}; the traffic ends
   * well before the wall clock.
   */
  public static CheckoutScenario scenario(long seed, int events, double hotShare) {
    Instant now = Instant.now();
    CheckoutScenario scenario =
        CheckoutScenario.builder(
                seed, CheckoutScenario.startFor(now, events, CHECKOUTS_PER_SECOND), now)
            .events(events)
            .checkoutsPerSecond(CHECKOUTS_PER_SECOND)
            .hotShare(hotShare)
            .windowSize(WINDOW)
            .outOfOrderness(OUT_OF_ORDERNESS)
            .allowedLateness(ALLOWED_LATENESS)
            .inactivityTimeout(INACTIVITY_TIMEOUT)
            .build();
    assertThat(scenario.kindCounts())
        .as("kinds of records")
        .allSatisfy((kind, count) -> assertThat(count).as("%s", kind).isPositive());
    assertThat(deadLettersPerReason(scenario))
        .as("every reason occurs")
        .allSatisfy((reason, count) -> assertThat(count).as("%s", reason).isPositive());
    return scenario;
  }

  /** Expected dead letters per reason (every reason present, zero if none). */
  public static Map<RejectReason, Long> deadLettersPerReason(CheckoutScenario scenario) {
    return EndToEndEngines.deadLettersPerReason(scenario.fateCounts());
  }

  /**
   * Produces every record of {@code scenario} to partition 0 of the checkout topic, in order, with
   * an idempotent producer and the records' own timestamps; returns each record's offset.
   */
  public List<Long> produce(CheckoutScenario scenario) throws Exception {
    return engines.produceInOrder(
        CHECKOUT_TOPIC,
        scenario.records(),
        ScenarioRecord::timestamp,
        ScenarioRecord::key,
        ScenarioRecord::value);
  }

  /** Reason by source offset of every record the scenario dead-letters. */
  public static Map<Long, RejectReason> expectedDeadLetters(
      CheckoutScenario scenario, List<Long> offsets) {
    return EndToEndEngines.expectedDeadLetters(
        scenario.records().stream().map(ScenarioRecord::fate).toList(), offsets);
  }

  /** Every record of the dead-letter topic, decoded; fails on one that does not decode. */
  public List<DeadLetter> readDeadLetterTopic() {
    return engines.readDeadLetters(DEAD_LETTER_TOPIC);
  }

  /**
   * The sum of the counter {@code name} over every operator and subtask of {@code job} (by metric
   * group: chained operators can share an identifier).
   */
  public static long sumCounter(InMemoryReporter reporter, JobID job, String name) {
    return EndToEndEngines.sumCounter(reporter, job, name);
  }

  @Override
  public void close() {
    engines.close();
  }
}
