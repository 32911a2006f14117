package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.Channel;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.DeadLetterReason;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.MetricSinks;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.pipeline.CollectingSink;
import io.cxpulse.jobs.pipeline.PipelineMetrics;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.pipeline.RawRecords;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
 * {@link SurveyJob#defineWorkflow} on a Flink MiniCluster, with an in-memory bounded source and
 * collecting sinks: every input record ends up counted in a window row or dead-lettered, and the
 * job's counters say the same.
 */
class SurveyJobTest {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(1, REPORTER.addToConfiguration(new Configuration()));

  private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");

  private final List<RawRecord> input = new ArrayList<>();

  @Test
  void everyRecordIsCountedOrDeadLetteredAndTheCountersReconcile() throws Exception {
    byte[] first = add(response("e0", SurveyType.NPS, 9, T0.plusSeconds(10)));
    add(response("e1", SurveyType.NPS, 5, T0.plusSeconds(20)));
    add(response("e2", SurveyType.CSAT, 4, T0.plusSeconds(30)));
    add(
        response("e3", SurveyType.CES, 2, T0.plusSeconds(40))
            .setChannel(Channel.WEB)
            .setSegment("vip"));
    addBytes(first, T0.plusSeconds(11)); // DUPLICATE
    addBytes(new byte[] {1, 2, 3}, T0.plusSeconds(41)); // UNDECODABLE
    addBytes(null, T0.plusSeconds(41)); // UNDECODABLE (tombstone)
    addBytes(unknownFingerprint(), T0.plusSeconds(41)); // UNKNOWN_SCHEMA
    add(response("e8", SurveyType.NPS, 11, T0.plusSeconds(42))); // OUT_OF_RANGE
    add(response("e9", SurveyType.NPS, 8, T0.plusSeconds(43)).setSegment("")); // MISSING_FIELD
    addBytes( // FUTURE_EVENT_TIME: two hours ahead of its Kafka timestamp
        RawRecords.encode(response("e10", SurveyType.NPS, 8, T0.plus(Duration.ofHours(2))).build()),
        T0.plusSeconds(44));
    add(
        response("e11", SurveyType.CSAT, 5, T0.plusSeconds(150))
            .setChannel(Channel.WEB)
            .setSegment("vip"));
    // Out of order, possibly after window 12:00 fired; within the allowed lateness either way.
    add(response("e12", SurveyType.NPS, 10, T0.plusSeconds(50)));

    CollectingSink<SurveyWindowRow> rows = new CollectingSink<>();
    CollectingSink<DeadLetter> deadLetterTopic = new CollectingSink<>();
    CollectingSink<DeadLetter> deadLetterTable = new CollectingSink<>();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    List<RawRecord> records = List.copyOf(input);
    SurveyJob.defineWorkflow(
        env,
        SurveyJobOptions.defaults(),
        new DataGeneratorSource<>(
            index -> records.get(index.intValue()),
            records.size(),
            TypeInformation.of(RawRecord.class)),
        new MetricSinks<>(rows, deadLetterTopic, deadLetterTable));

    JobExecutionResult result = env.execute("survey job test");

    // Dead letters: one per rejected record, the same in both sinks.
    List<DeadLetter> deadLetters = deadLetterTopic.values();
    assertThat(deadLetters)
        .extracting(DeadLetter::getReason)
        .containsExactlyInAnyOrder(
            DeadLetterReason.DUPLICATE,
            DeadLetterReason.UNDECODABLE,
            DeadLetterReason.UNDECODABLE,
            DeadLetterReason.UNKNOWN_SCHEMA,
            DeadLetterReason.OUT_OF_RANGE,
            DeadLetterReason.MISSING_FIELD,
            DeadLetterReason.FUTURE_EVENT_TIME);
    assertThat(deadLetterTable.values()).containsExactlyInAnyOrderElementsOf(deadLetters);

    // Rows: the newest version of each key holds every counted response.
    Map<String, SurveyWindowRow> latest =
        rows.values().stream()
            .collect(
                Collectors.toMap(
                    r -> r.getWindowStart() + " " + r.getChannel() + "/" + r.getSegment(),
                    Function.identity(),
                    (a, b) -> a.getVersion() >= b.getVersion() ? a : b));
    assertThat(latest)
        .containsOnlyKeys(
            "2025-06-01T12:00:00Z mobile_app/new",
            "2025-06-01T12:00:00Z web/vip",
            "2025-06-01T12:02:00Z web/vip");
    SurveyWindowRow mobile = latest.get("2025-06-01T12:00:00Z mobile_app/new");
    assertThat(mobile.nps()).isEqualTo(NpsComponents.of(2, 0, 1));
    assertThat(mobile.csat()).isEqualTo(CsatComponents.of(1, 1));
    assertThat(mobile.getVersion()).isEqualTo(4);
    assertThat(latest.get("2025-06-01T12:00:00Z web/vip").ces().countOf(2)).isOne();
    assertThat(latest.get("2025-06-01T12:02:00Z web/vip").csat())
        .isEqualTo(CsatComponents.of(1, 1));
    assertThat(rows.values()).allSatisfy(r -> assertThat(r.getVersion()).isEqualTo(r.responses()));

    // in = counted + dead-lettered, from the outputs ...
    long counted = latest.values().stream().mapToLong(SurveyWindowRow::responses).sum();
    long deadLetteredRecords =
        deadLetters.stream().map(DeadLetter::getSourceOffset).distinct().count();
    assertThat(counted + deadLetteredRecords).isEqualTo(records.size());

    // ... and from the job's counters.
    JobID job = result.getJobID();
    long recordsIn = sum(job, PipelineMetrics.RECORDS_IN);
    long recordsCounted = sum(job, PipelineMetrics.RECORDS_COUNTED);
    long deadLettered =
        Arrays.stream(RejectReason.values())
            .mapToLong(reason -> sum(job, PipelineMetrics.deadLettered(reason)))
            .sum();
    assertThat(recordsIn).isEqualTo(records.size());
    assertThat(recordsCounted).isEqualTo(counted);
    assertThat(deadLettered).isEqualTo(deadLetters.size());
    assertThat(recordsIn).isEqualTo(recordsCounted + deadLettered);

    rows.clear();
    deadLetterTopic.clear();
    deadLetterTable.clear();
  }

  private static long sum(JobID job, String metric) {
    // By group, not by identifier: chained operators can share an identifier.
    return REPORTER.getMetricsByGroup().entrySet().stream()
        .filter(group -> job.toString().equals(group.getKey().getAllVariables().get("<job_id>")))
        .map(group -> group.getValue().get(metric))
        .filter(Counter.class::isInstance)
        .mapToLong(counter -> ((Counter) counter).getCount())
        .sum();
  }

  private static SurveyResponse.Builder response(
      String eventId, SurveyType type, int score, Instant eventTime) {
    return TestEvents.survey()
        .setEventId(eventId)
        .setSurveyType(type)
        .setScore(score)
        .setEventTime(eventTime);
  }

  /** Adds the response with a Kafka timestamp one second after its event time. */
  private byte[] add(SurveyResponse.Builder response) {
    SurveyResponse event = response.build();
    byte[] bytes = RawRecords.encode(event);
    addBytes(bytes, event.getEventTime().plusSeconds(1));
    return bytes;
  }

  private void addBytes(byte[] value, Instant kafkaTimestamp) {
    input.add(RawRecords.bytes(value, input.size(), kafkaTimestamp));
  }

  private static byte[] unknownFingerprint() {
    return ByteBuffer.allocate(14)
        .order(ByteOrder.LITTLE_ENDIAN)
        .put((byte) 0xC3)
        .put((byte) 0x01)
        .putLong(0x0123456789ABCDEFL)
        .putInt(7)
        .array();
  }
}
