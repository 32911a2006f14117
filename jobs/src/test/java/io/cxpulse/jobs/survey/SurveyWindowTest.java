package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.Channel;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.aggregate.TwoPhaseHarness;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.RawRecords;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.NpsComponents;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The survey window aggregation exactly as {@link SurveyJob#defineWorkflow} wires it ({@link
 * SurveyJob#windowAggregation}), both phases driven by operator harnesses: a row when the watermark
 * passes the window, a higher version for late responses, and the too-late output after the allowed
 * lateness.
 */
class SurveyWindowTest {

  private static final Duration ALLOWED_LATENESS = Duration.ofMinutes(10);
  private static final Instant WINDOW_START = Instant.parse("2025-06-01T12:00:00Z");
  private static final Instant WINDOW_END = WINDOW_START.plusSeconds(60);

  private TwoPhaseHarness<DecodedEvent<SurveyResponse>, SurveyAccumulator, SurveyWindowRow> harness;
  private long offset;

  @BeforeEach
  void setUp() throws Exception {
    SurveyJobOptions options =
        SurveyJob.parseOptions(
            "--window", Duration.ofMinutes(1).toString(),
            "--allowed-lateness", ALLOWED_LATENESS.toString());
    harness =
        TwoPhaseHarness.open(
            SurveyJob.windowAggregation(options), DecodedEvent.typeInfo(SurveyResponse.class));
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  @Test
  void firesAtTheWatermarkAndAgainWithAHigherVersionForEachLateResponse() throws Exception {
    process(SurveyType.NPS, 10, WINDOW_START.plusSeconds(1));
    process(SurveyType.NPS, 3, WINDOW_START.plusSeconds(20));
    process(SurveyType.CSAT, 5, WINDOW_START.plusSeconds(59));
    assertThat(rows()).as("nothing before the watermark passes the window").isEmpty();

    harness.processWatermark(WINDOW_END.toEpochMilli() - 1);
    List<SurveyWindowRow> onTime = rows();
    assertThat(onTime).hasSize(1);
    SurveyWindowRow first = onTime.get(0);
    assertThat(first.getWindowStart()).isEqualTo(WINDOW_START);
    assertThat(first.getWindowEnd()).isEqualTo(WINDOW_END);
    assertThat(first.getChannel()).isEqualTo("mobile_app");
    assertThat(first.getSegment()).isEqualTo("new");
    assertThat(first.nps()).isEqualTo(NpsComponents.of(1, 0, 1));
    assertThat(first.csat()).isEqualTo(CsatComponents.of(1, 1));
    assertThat(first.getVersion()).isEqualTo(3);

    // Late but within the allowed lateness: the row again at the next watermark, one version up.
    long watermark = WINDOW_END.plusSeconds(30).toEpochMilli();
    harness.processWatermark(watermark);
    process(SurveyType.NPS, 8, WINDOW_START.plusSeconds(5));
    assertThat(rows()).hasSize(1);
    harness.processWatermark(++watermark);
    List<SurveyWindowRow> all = rows();
    assertThat(all).hasSize(2);
    SurveyWindowRow second = all.get(1);
    assertThat(second.getWindowStart()).isEqualTo(WINDOW_START);
    assertThat(second.nps()).isEqualTo(NpsComponents.of(1, 1, 1));
    assertThat(second.csat()).isEqualTo(first.csat());
    assertThat(second.getVersion()).isEqualTo(first.getVersion() + 1);

    process(SurveyType.CES, 2, WINDOW_START.plusSeconds(6));
    harness.processWatermark(++watermark);
    SurveyWindowRow third = rows().get(2);
    assertThat(third.getVersion()).isEqualTo(5);
    assertThat(third.ces().countOf(2)).isOne();
    assertThat(third.getCesHistogram()).containsExactly(0, 1, 0, 0, 0, 0, 0);
  }

  @Test
  void eachChannelAndSegmentIsItsOwnRow() throws Exception {
    process(SurveyType.CSAT, 4, WINDOW_START.plusSeconds(1), Channel.WEB, "vip");
    process(SurveyType.CSAT, 2, WINDOW_START.plusSeconds(2), Channel.WEB, "new");
    process(SurveyType.CSAT, 1, WINDOW_START.plusSeconds(3), Channel.MOBILE_APP, "vip");

    harness.processWatermark(WINDOW_END.toEpochMilli());

    assertThat(rows())
        .extracting(r -> r.getChannel() + "/" + r.getSegment() + " v" + r.getVersion())
        .containsExactlyInAnyOrder("web/vip v1", "web/new v1", "mobile_app/vip v1");
  }

  @Test
  void afterTheAllowedLatenessTheWindowSendsResponsesToTheTooLateOutput() throws Exception {
    process(SurveyType.CSAT, 4, WINDOW_START.plusSeconds(1));
    harness.processWatermark(WINDOW_END.plus(ALLOWED_LATENESS).toEpochMilli() - 1);
    assertThat(rows()).hasSize(1);

    DecodedEvent<SurveyResponse> late = process(SurveyType.CSAT, 5, WINDOW_START.plusSeconds(2));
    harness.processWatermark(WINDOW_END.plus(ALLOWED_LATENESS).toEpochMilli());

    assertThat(rows()).as("no re-emission").hasSize(1);
    assertThat(harness.tooLate()).containsExactly(late);
  }

  private DecodedEvent<SurveyResponse> process(SurveyType type, int score, Instant eventTime)
      throws Exception {
    return process(type, score, eventTime, Channel.MOBILE_APP, "new");
  }

  private DecodedEvent<SurveyResponse> process(
      SurveyType type, int score, Instant eventTime, Channel channel, String segment)
      throws Exception {
    SurveyResponse event =
        TestEvents.survey()
            .setEventId("evt-" + offset)
            .setSurveyType(type)
            .setScore(score)
            .setEventTime(eventTime)
            .setChannel(channel)
            .setSegment(segment)
            .build();
    DecodedEvent<SurveyResponse> decoded =
        new DecodedEvent<>(event, RawRecords.of(event, offset++, eventTime));
    harness.processElement(decoded, eventTime.toEpochMilli());
    return decoded;
  }

  private List<SurveyWindowRow> rows() {
    return harness.rows();
  }
}
