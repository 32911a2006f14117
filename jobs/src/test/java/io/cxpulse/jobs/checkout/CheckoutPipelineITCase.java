package io.cxpulse.jobs.checkout;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.EnginesExtension;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.checkout.CheckoutClickHouse.Emissions;
import io.cxpulse.jobs.checkout.ExpectedCheckoutRows.Grain;
import io.cxpulse.jobs.generator.CheckoutScenario;
import io.cxpulse.jobs.generator.CheckoutTruth;
import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.JobLauncher;
import io.cxpulse.jobs.pipeline.PipelineMetrics;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.validation.RejectReason;
import java.sql.Connection;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The checkout pipeline end to end on the real engines: a generated scenario (≥ 50,000 events, out
 * of order, late events, orders arriving after the abandonment timer fired, duplicates, too-late
 * checkouts, every bad record) is produced to an in-process Kafka broker, the job ({@link
 * CheckoutJob#defineWorkflow} with the production Kafka source and {@link
 * CheckoutJob#productionSinks}) runs on a MiniCluster at parallelism 2, and ClickHouse, the
 * dead-letter topic and the job's counters must agree with an expectation computed from the
 * generator's truth alone:
 *
 * <ul>
 *   <li>every row of {@code cx_checkout_abandonment_minute}, {@code _hour} and {@code _day} (every
 *       channel × segment and the rolled-up 'all' rows) equals the expectation, value by value, and
 *       no row is missing or extra; the parameterised view gives the same rows;
 *   <li>in = counted + dead-lettered, per reason, from the counters, from {@code cx_dead_letters
 *       FINAL} (record by record) and from the dead-letter topic (record by record);
 *   <li>orders that arrived after their checkout was counted abandoned corrected the rows: at least
 *       one correction per such checkout, and window rows whose abandoned count went down in a
 *       newer version.
 * </ul>
 */
class CheckoutPipelineITCase {

  private static final long SEED = 20_260_301L;
  private static final int EVENTS = 50_000;

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(2, REPORTER.addToConfiguration(FlinkTestCluster.noRestarts()));

  @RegisterExtension
  static final EnginesExtension<CheckoutEndToEnd> ENGINES =
      new EnginesExtension<>(CheckoutEndToEnd::start);

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void everyEventIsCountedOnceOrDeadLetteredAndTheAbandonmentViewsAreExact() throws Exception {
    CheckoutScenario scenario = CheckoutEndToEnd.scenario(SEED, EVENTS, 0.0);
    List<Long> offsets = ENGINES.get().produce(scenario);
    Map<Long, RejectReason> expectedDeadLetters =
        CheckoutEndToEnd.expectedDeadLetters(scenario, offsets);
    Map<RejectReason, Long> expectedPerReason = CheckoutEndToEnd.deadLettersPerReason(scenario);
    List<CheckoutTruth> truth = scenario.countedCheckouts();
    ExpectedCheckoutRows expected = ExpectedCheckoutRows.of(truth, CheckoutEndToEnd.WINDOW);
    try (Connection connection = ENGINES.get().connection()) {
      CheckoutClickHouse.installEmissionLog(connection);
    }

    CheckoutJobOptions options =
        ENGINES
            .get()
            .options(
                "checkout-pipeline-it",
                // Checkpoints flush the sinks; a bounded job also waits for one before it ends.
                new RuntimeOptions(Duration.ofMillis(500), 2, true, 500, Duration.ofMillis(200)));
    // As the job runs (JobLauncher): a type Flink would serialise with Kryo fails the job.
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            JobLauncher.withoutGenericTypes(new Configuration()));
    CheckoutJob.configure(env, options);
    CheckoutJob.defineWorkflow(
        env,
        options,
        EventInput.kafka(
            options.kafka().bootstrapServers(),
            options.topic(),
            options.groupId(),
            options.runtime().bounded()),
        CheckoutJob.productionSinks(options));
    long started = System.nanoTime();
    JobExecutionResult result = env.execute("checkout pipeline end to end");
    long jobMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

    // in = counted + dead-lettered, from the job's counters.
    JobID job = result.getJobID();
    Map<RejectReason, Long> deadLettered = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : RejectReason.values()) {
      deadLettered.put(reason, counter(job, PipelineMetrics.deadLettered(reason)));
    }
    long recordsIn = counter(job, PipelineMetrics.RECORDS_IN);
    long recordsCounted = counter(job, PipelineMetrics.RECORDS_COUNTED);
    assertThat(recordsIn).as("recordsIn").isEqualTo(scenario.records().size());
    assertThat(recordsCounted).as("recordsCounted").isEqualTo(scenario.countedEvents().size());
    assertThat(deadLettered).as("deadLettered_<REASON>").isEqualTo(expectedPerReason);
    assertThat(recordsCounted + deadLettered.values().stream().mapToLong(Long::longValue).sum())
        .as("in = counted + dead-lettered")
        .isEqualTo(recordsIn);
    // Outcomes: corrections for the late orders at least; nothing lost behind the window.
    long corrections = counter(job, CheckoutSessionFunction.CORRECTIONS);
    assertThat(corrections).as("corrections").isGreaterThanOrEqualTo(scenario.lateOrders());
    assertThat(counter(job, CheckoutSessionFunction.EVENTS_AFTER_END)).isZero();
    assertThat(counter(job, TooLateOutcomeFunction.OUTCOMES_TOO_LATE)).isZero();
    assertThat(counter(job, "windowRecordsTooLate")).isZero();
    assertThat(counter(job, "windowPartialsAfterRetention")).isZero();

    try (Connection connection = ENGINES.get().connection()) {
      // Dead letters in ClickHouse: exactly the expected records, each with its reason.
      assertThat(CheckoutClickHouse.deadLettersFinal(connection, CheckoutEndToEnd.CHECKOUT_TOPIC))
          .as("cx_dead_letters FINAL, reason by source offset")
          .isEqualTo(expectedDeadLetters);
      assertThat(
              CheckoutClickHouse.deadLetterCountsView(connection, CheckoutEndToEnd.CHECKOUT_TOPIC))
          .as("cx_dead_letter_counts")
          .isEqualTo(nonZero(expectedPerReason));

      // Every value of every row of every grain and grouping set.
      for (Grain grain : Grain.values()) {
        Map<CheckoutClickHouse.Key, CheckoutClickHouse.ViewRow> view =
            CheckoutClickHouse.abandonment(connection, grain.view());
        expected.assertMatches(grain, view);
        assertThat(CheckoutClickHouse.abandonment(connection, grain.parameterised()))
            .as("%s parameterised", grain)
            .isEqualTo(view);
      }
      assertThat(
              CheckoutClickHouse.single(
                  connection, "SELECT sum(started) FROM cx_checkout_window_latest"))
          .as("checkouts counted once each")
          .isEqualTo(truth.size());

      // Late orders corrected rows already written: newer versions with fewer abandoned.
      Emissions emissions = CheckoutClickHouse.emissions(connection);
      long lateOrderKeys = lateOrderKeys(scenario, CheckoutEndToEnd.WINDOW.toMillis());
      assertThat(
              CheckoutClickHouse.single(
                  connection, "SELECT countIf(started != 0) FROM cx_checkout_window_latest"))
          .as("window rows with checkouts")
          .isEqualTo(expected.windowRows());
      // A late first event moves its checkout to an earlier window; a row it leaves empty keeps
      // a newest version of zeros (which the views leave out).
      long emptied =
          CheckoutClickHouse.single(
              connection,
              "SELECT countIf(started = 0 AND pending = 0) FROM cx_checkout_window FINAL");
      // Every checkout was decided by the end of input, and every window was first written
      // while its checkouts were still open: pending said so, then the decisions took it back.
      assertThat(
              CheckoutClickHouse.single(
                  connection, "SELECT count() FROM cx_checkout_window FINAL WHERE pending != 0"))
          .as("rows still pending at the end")
          .isZero();
      assertThat(emissions.keysWithPending())
          .as("rows written with checkouts pending")
          .isGreaterThan(expected.windowRows() / 2);
      assertThat(emissions.keys())
          .as("window rows written")
          .isEqualTo(expected.windowRows() + emptied);
      assertThat(
              CheckoutClickHouse.single(
                  connection,
                  "SELECT count() FROM cx_checkout_window FINAL WHERE started = 0 AND (completed"
                      + " != 0 OR abandoned != 0 OR notEmpty(abandoned_value_currencies) OR"
                      + " notEmpty(abandoned_steps) OR notEmpty(abandoned_reasons) OR"
                      + " notEmpty(completion_time_buckets) OR completion_time_sum_ms != 0)"))
          .as("emptied rows that are not all zeros")
          .isZero();
      assertThat(emissions.keysWithSeveralVersions()).as("rows with several versions").isPositive();
      // Not every late order corrects a row: whether the abandonment timer fired before the order
      // arrived depends on how the two source subtasks' reads interleave. Some always do.
      assertThat(emissions.correctedKeys())
          .as(
              "rows whose abandoned count a later version lowered (%d rows had late orders)",
              lateOrderKeys)
          .isPositive();
      System.out.printf(
          "CheckoutPipelineITCase: %d records (%s; kinds %s), job %d ms; %d late orders in %d"
              + " rows, %d corrections, %d rows emptied; expected %s; emissions %s%n",
          offsets.size(),
          scenario.fateCounts(),
          scenario.kindCounts(),
          jobMillis,
          scenario.lateOrders(),
          lateOrderKeys,
          corrections,
          emptied,
          expected.summary(),
          emissions);
    }

    // Dead letters in Kafka: one per rejected record, each with its reason.
    List<DeadLetter> topic = ENGINES.get().readDeadLetterTopic();
    Map<Long, RejectReason> fromTopic = new TreeMap<>();
    for (DeadLetter deadLetter : topic) {
      assertThat(deadLetter.getSourceTopic()).isEqualTo(CheckoutEndToEnd.CHECKOUT_TOPIC);
      assertThat(deadLetter.getSourcePartition()).isZero();
      assertThat(
              fromTopic.put(
                  deadLetter.getSourceOffset(),
                  RejectReason.valueOf(deadLetter.getReason().name())))
          .as("one dead letter for offset %d", deadLetter.getSourceOffset())
          .isNull();
    }
    assertThat(fromTopic)
        .as("dead-letter topic, reason by source offset")
        .isEqualTo(expectedDeadLetters);
  }

  private static long counter(JobID job, String name) {
    return CheckoutEndToEnd.sumCounter(REPORTER, job, name);
  }

  /** Distinct window rows (window, channel, segment) of the checkouts with a late order. */
  private static long lateOrderKeys(CheckoutScenario scenario, long windowMillis) {
    Map<String, CheckoutTruth> byId =
        scenario.countedCheckouts().stream()
            .collect(Collectors.toMap(CheckoutTruth::checkoutId, t -> t));
    return scenario.records().stream()
        .filter(r -> r.kind() == CheckoutScenario.Kind.LATE_ORDER)
        .map(r -> byId.get(r.key()))
        .map(
            t -> {
              long start = t.start().toEpochMilli();
              return (start - Math.floorMod(start, windowMillis))
                  + "|"
                  + t.channel()
                  + "|"
                  + t.segment();
            })
        .distinct()
        .count();
  }

  private static Map<RejectReason, Long> nonZero(Map<RejectReason, Long> counts) {
    Map<RejectReason, Long> nonZero = new EnumMap<>(RejectReason.class);
    counts.forEach(
        (reason, count) -> {
          if (count > 0) {
            nonZero.put(reason, count);
          }
        });
    return nonZero;
  }
}
