package io.cxpulse.jobs.survey;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.pipeline.JobProgress;
import io.cxpulse.jobs.validation.RejectReason;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The survey job's progress record in ClickHouse and the views' is_complete and is_final columns,
 * on the real engines: the record follows the job's watermark, and a view row is complete (final)
 * exactly when its bucket ends at or before the record's complete_before (final_before).
 */
class JobProgressITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = new MiniClusterExtension();

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void progressFollowsTheWatermarkAndTheViewsMarkCompleteAndFinalRows(@TempDir Path dir)
      throws Exception {
    try (SurveyEndToEnd engines = SurveyEndToEnd.start(dir)) {
      SurveyScenario scenario = SurveyEndToEnd.scenario(20_261_209L, 12_000, 3);
      engines.produce(scenario);
      SurveyJobOptions options = engines.options("progress");
      SurveyEndToEnd.productionJob(options).execute("survey progress");

      // The watermark trails the newest event the gate admitted by the out-of-orderness bound,
      // and by up to one step of the eager generator when the input ends between two watermarks.
      long newestAdmitted =
          scenario.records().stream()
              .filter(JobProgressITCase::admittedByTheGate)
              .mapToLong(r -> r.event().orElseThrow().getEventTime().toEpochMilli())
              .max()
              .orElseThrow();
      long highest = newestAdmitted - SurveyEndToEnd.OUT_OF_ORDERNESS.toMillis() - 1;

      try (Connection connection = engines.connection();
          Statement statement = connection.createStatement()) {
        Instant watermark;
        Instant completeBefore;
        Instant finalBefore;
        Instant runFirstWindow;
        try (ResultSet rs =
            statement.executeQuery(
                "SELECT job, watermark, complete_before, final_before, run_first_window"
                    + " FROM cx_job_progress_latest WHERE table_name = 'cx_survey_window'")) {
          assertThat(rs.next()).as("a progress record for cx_survey_window").isTrue();
          assertThat(rs.getString("job")).isEqualTo("survey");
          watermark = rs.getObject("watermark", java.time.OffsetDateTime.class).toInstant();
          completeBefore =
              rs.getObject("complete_before", java.time.OffsetDateTime.class).toInstant();
          finalBefore = rs.getObject("final_before", java.time.OffsetDateTime.class).toInstant();
          runFirstWindow =
              rs.getObject("run_first_window", java.time.OffsetDateTime.class).toInstant();
        }
        // The run's first window is the earliest it wrote: only part of its minute was produced.
        try (ResultSet rs =
            statement.executeQuery(
                "SELECT min(window_start) FROM cx_survey_window_latest WHERE version > 0")) {
          assertThat(rs.next()).isTrue();
          assertThat(runFirstWindow)
              .isEqualTo(rs.getObject(1, java.time.OffsetDateTime.class).toInstant());
        }
        // A record is written when another window completes, so it holds the watermark of that
        // moment: at or after its complete_before, at or before the job's last watermark.
        JobProgress.Spec spec = SurveyJob.progress(options);
        assertThat(completeBefore.toEpochMilli())
            .isIn(spec.completeBefore(highest - 1_000), spec.completeBefore(highest));
        assertThat(watermark.toEpochMilli()).isBetween(completeBefore.toEpochMilli() - 1, highest);
        assertThat(completeBefore.toEpochMilli())
            .isEqualTo(spec.completeBefore(watermark.toEpochMilli()));
        assertThat(Duration.between(finalBefore, completeBefore))
            .isEqualTo(SurveyEndToEnd.ALLOWED_LATENESS);

        List<String> wrong = new ArrayList<>();
        int complete = 0;
        int finals = 0;
        int filling = 0;
        int partials = 0;
        try (ResultSet rs =
            statement.executeQuery(
                "SELECT bucket_start, is_partial, is_complete, is_final"
                    + " FROM cx_survey_scores_minute")) {
          while (rs.next()) {
            Instant start =
                rs.getObject("bucket_start", java.time.OffsetDateTime.class).toInstant();
            Instant end = start.plusSeconds(60);
            boolean isPartial = rs.getBoolean("is_partial");
            boolean isComplete = rs.getBoolean("is_complete");
            boolean isFinal = rs.getBoolean("is_final");
            boolean partial = start.equals(runFirstWindow);
            if (isPartial != partial
                || isComplete != (!end.isAfter(completeBefore) && !partial)
                || isFinal != !end.isAfter(finalBefore)) {
              wrong.add(
                  end
                      + ": partial "
                      + isPartial
                      + ", complete "
                      + isComplete
                      + ", final "
                      + isFinal);
            }
            partials += isPartial ? 1 : 0;
            complete += isComplete ? 1 : 0;
            finals += isFinal ? 1 : 0;
            filling += isComplete ? 0 : 1;
          }
        }
        assertThat(wrong).as("rows marked against the progress record").isEmpty();
        assertThat(partials)
            .as("the first minute's rows: channel x segment and rollups, all partial")
            .isPositive();
        assertThat(finals).as("final rows").isPositive();
        assertThat(complete - finals)
            .as("complete rows that late data can still change")
            .isPositive();
        assertThat(filling - partials).as("rows of the newest, incomplete minutes").isPositive();
        System.out.printf(
            "JobProgressITCase: watermark %s, complete before %s, final before %s; view rows:"
                + " %d final, %d complete not final, %d incomplete%n",
            watermark, completeBefore, finalBefore, finals, complete - finals, filling);
      }
    }
  }

  private static boolean admittedByTheGate(ScenarioRecord record) {
    RejectReason reason = record.fate().rejectReason();
    return record.event().isPresent()
        && (reason == null || reason == RejectReason.DUPLICATE || reason == RejectReason.TOO_LATE);
  }
}
