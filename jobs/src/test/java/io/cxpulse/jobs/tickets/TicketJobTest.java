package io.cxpulse.jobs.tickets;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.Channel;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.DeadLetterReason;
import io.cxpulse.events.TicketActor;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.events.TicketEventType;
import io.cxpulse.events.TicketPriority;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.MetricSinks;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.pipeline.CollectingSink;
import io.cxpulse.jobs.pipeline.PipelineMetrics;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.pipeline.RawRecords;
import io.cxpulse.jobs.validation.RejectReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link TicketJob#defineWorkflow} on a Flink MiniCluster at parallelism 1, with an in-memory
 * source and collecting sinks, where the order of records and watermarks is exact: the retention
 * edge (a late reply accepted at the lateness gate's last millisecond still retracts the breach
 * counted at the deadline), and every record counted or dead-lettered.
 */
class TicketJobTest {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(1, REPORTER.addToConfiguration(new Configuration()));

  private static final Duration ALLOWED_LATENESS = Duration.ofMinutes(10);
  private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(5);

  /** Chat, normal priority: the bundled target is 10 minutes. */
  private static final Instant OPENED = Instant.parse("2025-06-01T12:00:30Z");

  private static final Instant DEADLINE = OPENED.plus(Duration.ofMinutes(10)); // 12:10:30

  /** Before the deadline, in the deadline's window [12:10, 12:11). */
  private static final Instant REPLY = Instant.parse("2025-06-01T12:10:20Z");

  /**
   * The watermark at which the reply's window [12:10, 12:11) is still open at the lateness gate for
   * the last time: window end − 1 ms + allowed lateness must be above it, so 12:20:59.998. The
   * event that raises the watermark there comes out-of-orderness + 1 ms later.
   */
  private static final Instant LAST_ACCEPTING_WATERMARK = Instant.parse("2025-06-01T12:20:59.998Z");

  private final List<RawRecord> input = new ArrayList<>();

  @Test
  void aLateReplyAcceptedAtTheLastMillisecondStillRetractsTheBreachCountedAtTheDeadline()
      throws Exception {
    Run run = runEdgeCase(LAST_ACCEPTING_WATERMARK);

    List<TicketWindowRow> deadlineRows = run.rows("2025-06-01T12:10:00Z chat/vip/normal");
    assertThat(deadlineRows).as("versions of the deadline's window row").hasSize(2);
    TicketWindowRow first = deadlineRows.get(0);
    assertThat(first.getSlaBreached()).as("counted at the deadline").isOne();
    assertThat(first.getSlaBreachedUnanswered()).isOne();
    assertThat(first.getVersion()).isOne();
    TicketWindowRow last = deadlineRows.get(1);
    assertThat(last.getSlaBreached()).as("retracted by the late reply").isZero();
    assertThat(last.getSlaBreachedUnanswered()).isZero();
    assertThat(last.getSlaMet()).isOne();
    assertThat(last.getFirstResponses()).isOne();
    assertThat(last.getFirstResponseSumMillis())
        .isEqualTo(Duration.between(OPENED, REPLY).toMillis());
    assertThat(last.getVersion()).as("breach, its retraction, the first response").isEqualTo(3);

    assertThat(run.counter(TooLateFactsFunction.FACTS_TOO_LATE)).isZero();
    assertThat(run.counter(TicketLifecycleFunction.CORRECTIONS)).isOne();
    assertThat(run.deadLetters)
        .extracting(DeadLetter::getReason)
        .containsExactlyInAnyOrder(DeadLetterReason.DUPLICATE, DeadLetterReason.UNDECODABLE);
    run.assertReconciles(input.size());
  }

  @Test
  void oneMillisecondLaterTheReplyIsTooLateAndTheBreachStands() throws Exception {
    Run run = runEdgeCase(LAST_ACCEPTING_WATERMARK.plusMillis(1));

    List<TicketWindowRow> deadlineRows = run.rows("2025-06-01T12:10:00Z chat/vip/normal");
    assertThat(deadlineRows).hasSize(1);
    assertThat(deadlineRows.get(0).getSlaBreached()).isOne();
    assertThat(deadlineRows.get(0).getFirstResponses()).isZero();
    assertThat(run.counter(TooLateFactsFunction.FACTS_TOO_LATE)).isZero();
    assertThat(run.deadLetters)
        .extracting(DeadLetter::getReason)
        .containsExactlyInAnyOrder(
            DeadLetterReason.DUPLICATE, DeadLetterReason.UNDECODABLE, DeadLetterReason.TOO_LATE);
    assertThat(run.deadLetters)
        .filteredOn(d -> d.getReason() == DeadLetterReason.TOO_LATE)
        .singleElement()
        .extracting(DeadLetter::getEventId)
        .isEqualTo("a-reply");
    run.assertReconciles(input.size());
  }

  @Test
  void botRepliesAreIgnoredAndEveryEpisodeIsCounted() throws Exception {
    Instant t0 = Instant.parse("2025-06-01T09:00:10Z");
    add(event("b-open", "b", TicketEventType.OPENED, t0).setChannel(Channel.EMAIL));
    add(
        event("b-bot", "b", TicketEventType.BOT_REPLY, t0.plusSeconds(2))
            .setChannel(Channel.EMAIL));
    add(
        event("b-agent", "b", TicketEventType.AGENT_REPLY, t0.plusSeconds(600))
            .setChannel(Channel.EMAIL));
    add(
        event("b-resolved", "b", TicketEventType.RESOLVED, t0.plusSeconds(1200))
            .setChannel(Channel.EMAIL));
    add(
        event("b-reopened", "b", TicketEventType.REOPENED, t0.plusSeconds(1500))
            .setChannel(Channel.EMAIL));
    add(
        event("b-resolved-2", "b", TicketEventType.RESOLVED, t0.plusSeconds(1560))
            .setChannel(Channel.EMAIL));
    Run run = run(TicketJobOptions.defaults());

    Map<String, TicketWindowRow> latest = run.latest();
    assertThat(latest)
        .containsOnlyKeys(
            "2025-06-01T09:00:00Z email/vip/normal",
            "2025-06-01T09:10:00Z email/vip/normal",
            "2025-06-01T09:20:00Z email/vip/normal",
            "2025-06-01T09:25:00Z email/vip/normal",
            "2025-06-01T09:26:00Z email/vip/normal");
    assertThat(latest.get("2025-06-01T09:00:00Z email/vip/normal").getTicketsOpened()).isOne();
    TicketWindowRow reply = latest.get("2025-06-01T09:10:00Z email/vip/normal");
    assertThat(reply.getFirstResponseSumMillis())
        .as("the bot reply is not a response")
        .isEqualTo(600_000);
    assertThat(reply.getSlaMet()).isOne();
    assertThat(latest.get("2025-06-01T09:20:00Z email/vip/normal").getResolutionSumMillis())
        .isEqualTo(1_200_000);
    assertThat(latest.get("2025-06-01T09:25:00Z email/vip/normal").getTicketsReopened()).isOne();
    TicketWindowRow second = latest.get("2025-06-01T09:26:00Z email/vip/normal");
    assertThat(second.getResolutionSumMillis()).as("from the reopen").isEqualTo(60_000);
    assertThat(latest.values().stream().mapToLong(TicketWindowRow::getBacklogDelta).sum()).isZero();
    run.assertReconciles(input.size());
  }

  /**
   * Ticket a: opened at 12:00:30 on chat, unanswered at its deadline 12:10:30; then ticket f raises
   * the watermark to {@code watermark}; then a's reply timed 12:10:20 arrives.
   */
  private Run runEdgeCase(Instant watermark) throws Exception {
    byte[] opened = add(event("a-open", "a", TicketEventType.OPENED, OPENED));
    addBytes(opened, OPENED.plusSeconds(1)); // DUPLICATE
    addBytes(new byte[] {1, 2, 3}, OPENED.plusSeconds(2)); // UNDECODABLE
    add(
        event("f-open", "f", TicketEventType.OPENED, watermark.plus(OUT_OF_ORDERNESS).plusMillis(1))
            .setChannel(Channel.EMAIL));
    add(event("a-reply", "a", TicketEventType.AGENT_REPLY, REPLY));
    assertThat(REPLY).isBefore(DEADLINE);
    return run(
        TicketJob.parseOptions(
            "--allowed-lateness", ALLOWED_LATENESS.toString(),
            "--out-of-orderness", OUT_OF_ORDERNESS.toString()));
  }

  private Run run(TicketJobOptions options) throws Exception {
    CollectingSink<TicketWindowRow> rows = new CollectingSink<>();
    CollectingSink<DeadLetter> deadLetterTopic = new CollectingSink<>();
    CollectingSink<DeadLetter> deadLetterTable = new CollectingSink<>();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    List<RawRecord> records = List.copyOf(input);
    TicketJob.defineWorkflow(
        env,
        options,
        new DataGeneratorSource<>(
            index -> records.get(index.intValue()),
            records.size(),
            TypeInformation.of(RawRecord.class)),
        new MetricSinks<>(rows, deadLetterTopic, deadLetterTable));
    JobExecutionResult result = env.execute("ticket job test");
    Run run = new Run(result.getJobID(), rows.values(), deadLetterTopic.values());
    assertThat(deadLetterTable.values()).containsExactlyInAnyOrderElementsOf(run.deadLetters);
    rows.clear();
    deadLetterTopic.clear();
    deadLetterTable.clear();
    return run;
  }

  private record Run(JobID job, List<TicketWindowRow> allRows, List<DeadLetter> deadLetters) {

    static String key(TicketWindowRow row) {
      return row.getWindowStart()
          + " "
          + row.getChannel()
          + "/"
          + row.getSegment()
          + "/"
          + row.getPriority();
    }

    /** Every version written of the row {@code key}, by version. */
    List<TicketWindowRow> rows(String key) {
      return allRows.stream()
          .filter(r -> key(r).equals(key))
          .sorted(Comparator.comparingLong(TicketWindowRow::getVersion))
          .toList();
    }

    Map<String, TicketWindowRow> latest() {
      return allRows.stream()
          .collect(
              Collectors.toMap(
                  Run::key,
                  Function.identity(),
                  (a, b) -> a.getVersion() >= b.getVersion() ? a : b));
    }

    long counter(String metric) {
      // By group, not by identifier: chained operators can share an identifier.
      return REPORTER.getMetricsByGroup().entrySet().stream()
          .filter(group -> job.toString().equals(group.getKey().getAllVariables().get("<job_id>")))
          .map(group -> group.getValue().get(metric))
          .filter(Counter.class::isInstance)
          .mapToLong(counter -> ((Counter) counter).getCount())
          .sum();
    }

    void assertReconciles(int records) {
      long deadLettered =
          Arrays.stream(RejectReason.values())
              .mapToLong(reason -> counter(PipelineMetrics.deadLettered(reason)))
              .sum();
      assertThat(counter(PipelineMetrics.RECORDS_IN)).isEqualTo(records);
      assertThat(deadLettered).isEqualTo(deadLetters.size());
      assertThat(counter(PipelineMetrics.RECORDS_COUNTED) + deadLettered).isEqualTo(records);
    }
  }

  private static TicketEvent.Builder event(
      String eventId, String ticketId, TicketEventType type, Instant time) {
    TicketActor actor =
        switch (type) {
          case AGENT_REPLY, RESOLVED -> TicketActor.AGENT;
          case BOT_REPLY -> TicketActor.BOT;
          default -> TicketActor.CUSTOMER;
        };
    return TestEvents.ticket()
        .setEventId(eventId)
        .setTicketId(ticketId)
        .setEventType(type)
        .setActor(actor)
        .setChannel(Channel.CHAT)
        .setSegment("vip")
        .setPriority(TicketPriority.NORMAL)
        .setEventTime(time);
  }

  /** Adds the event with a Kafka timestamp one second after its event time. */
  private byte[] add(TicketEvent.Builder builder) {
    TicketEvent event = builder.build();
    byte[] bytes = RawRecords.encode(event);
    addBytes(bytes, event.getEventTime().plusSeconds(1));
    return bytes;
  }

  private void addBytes(byte[] value, Instant kafkaTimestamp) {
    input.add(RawRecords.bytes(value, input.size(), kafkaTimestamp));
  }
}
