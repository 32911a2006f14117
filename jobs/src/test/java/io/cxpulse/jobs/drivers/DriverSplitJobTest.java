package io.cxpulse.jobs.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The driver split job's options, buckets and row dimension. */
class DriverSplitJobTest {

  @Test
  void defaultsAndCommandLine() {
    DriverSplitJobOptions defaults = DriverSplitJob.parseOptions();
    assertThat(defaults).isEqualTo(DriverSplitJobOptions.defaults());
    assertThat(defaults.ticketTopic()).isEqualTo("cx.tickets");
    assertThat(defaults.surveyTopic()).isEqualTo("cx.surveys");
    assertThat(defaults.joinHorizon()).isEqualTo(Duration.ofDays(7));
    assertThat(defaults.eventTime().window()).isEqualTo(Duration.ofHours(1));
    assertThat(defaults.settle()).isEqualTo(Duration.ofHours(2));

    DriverSplitJobOptions parsed =
        DriverSplitJob.parseOptions(
            "--join-horizon=3d",
            "--window=15m",
            "--ticket-topic=t",
            "--survey-topic=s",
            "--clickhouse-password=secret");
    assertThat(parsed.joinHorizon()).isEqualTo(Duration.ofDays(3));
    assertThat(parsed.eventTime().window()).isEqualTo(Duration.ofMinutes(15));
    assertThat(parsed.ticketOptions().topic()).isEqualTo("t");
    assertThat(parsed.surveyTopic()).isEqualTo("s");
    assertThat(parsed.toString()).doesNotContain("secret").contains("joinHorizon=PT72H");
  }

  @Test
  void outOfRangeValuesAreRejected() {
    assertThatThrownBy(() -> DriverSplitJob.parseOptions("--join-horizon", "0s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("join horizon");
    assertThatThrownBy(() -> DriverSplitJob.parseOptions("--salts", "0"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void firstResponseBucketsHaveInclusiveLowerBounds() {
    assertThat(FirstResponseBucket.of(Duration.ZERO)).isEqualTo(FirstResponseBucket.UNDER_5M);
    assertThat(FirstResponseBucket.of(Duration.ofMinutes(5).minusMillis(1)))
        .isEqualTo(FirstResponseBucket.UNDER_5M);
    assertThat(FirstResponseBucket.of(Duration.ofMinutes(5)))
        .isEqualTo(FirstResponseBucket.FROM_5M_TO_30M);
    assertThat(FirstResponseBucket.of(Duration.ofMinutes(30)))
        .isEqualTo(FirstResponseBucket.FROM_30M_TO_2H);
    assertThat(FirstResponseBucket.of(Duration.ofHours(2)))
        .isEqualTo(FirstResponseBucket.FROM_2H_TO_8H);
    assertThat(FirstResponseBucket.of(Duration.ofDays(3))).isEqualTo(FirstResponseBucket.FROM_8H);
    assertThat(FirstResponseBucket.NO_REPLY.label()).isEqualTo("no_reply");
  }

  @Test
  void rowDimensionRoundTrips() {
    DriverOutcome outcome =
        new DriverOutcome(SlaOutcome.BREACHED, FirstResponseBucket.FROM_2H_TO_8H, 0);
    String dimension = DriverWindowRow.dimension(outcome);
    assertThat(dimension).isEqualTo("breached|2h_8h");
    DriverWindowRow row =
        DriverWindowRow.of(
            io.cxpulse.jobs.aggregate.WindowKey.of(0, "chat", "vip", dimension),
            3_600_000,
            new io.cxpulse.jobs.survey.SurveyAccumulator());
    assertThat(row.getSlaOutcome()).isEqualTo("breached");
    assertThat(row.getFrtBucket()).isEqualTo("2h_8h");
    assertThat(row.getScores().getChannel()).isEqualTo("chat");
  }
}
