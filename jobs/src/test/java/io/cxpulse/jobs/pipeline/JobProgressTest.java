package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class JobProgressTest {

  private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void aWindowIsCompleteOnceItFiredAndFinalOnceItsLatenessPassed() {
    JobProgress.Spec survey =
        new JobProgress.Spec(
            "survey",
            "cx_survey_window",
            Duration.ofMinutes(1),
            Duration.ZERO,
            Duration.ofHours(1));
    // The window [10:00, 10:01) fires at watermark 10:00:59.999 and takes late data while the
    // watermark is below 11:00:59.999.
    long fired = T.plusSeconds(60).toEpochMilli() - 1;
    assertThat(survey.completeBefore(fired)).isEqualTo(T.plusSeconds(60).toEpochMilli());
    assertThat(survey.completeBefore(fired - 1)).isEqualTo(T.toEpochMilli());
    long lateUntil = T.plus(Duration.ofMinutes(61)).toEpochMilli() - 1;
    assertThat(survey.finalBefore(lateUntil)).isEqualTo(T.plusSeconds(60).toEpochMilli());
    assertThat(survey.finalBefore(lateUntil - 1)).isEqualTo(T.toEpochMilli());
  }

  @Test
  void checkoutsWaitTheirInactivityTimeout() {
    JobProgress.Spec checkout =
        new JobProgress.Spec(
            "checkout",
            "cx_checkout_window",
            Duration.ofMinutes(1),
            Duration.ofMinutes(30),
            Duration.ofMinutes(10));
    long watermark = T.plus(Duration.ofMinutes(31)).toEpochMilli() - 1;
    assertThat(Instant.ofEpochMilli(checkout.completeBefore(watermark)))
        .isEqualTo(T.plusSeconds(60));
    assertThat(Instant.ofEpochMilli(checkout.finalBefore(watermark)))
        .isEqualTo(T.minus(Duration.ofMinutes(9)));
  }

  @Test
  void theOperatorWritesOneRecordPerNewlyCompleteWindowOnceACheckpointAfterItCompleted()
      throws Exception {
    JobProgress.Spec spec =
        new JobProgress.Spec(
            "survey", "cx_survey_window", Duration.ofMinutes(1), Duration.ZERO, Duration.ZERO);
    try (OneInputStreamOperatorTestHarness<String, JobProgress.Row> harness =
        new OneInputStreamOperatorTestHarness<>(new ProgressOperator<String>(spec, row -> T))) {
      harness.open();
      long minute = Duration.ofMinutes(1).toMillis();
      long start = T.toEpochMilli();
      harness.processElement("a row", start);
      harness.processWatermark(new Watermark(start + 10_000));
      harness.processWatermark(new Watermark(start + 20_000)); // same window: nothing new
      // The rows of the windows the watermark completed may still be in their sink's batch: the
      // record waits for the checkpoint whose barrier follows the watermark to complete.
      assertThat(harness.extractOutputValues()).as("before any checkpoint").isEmpty();
      harness.snapshot(1, 1);
      assertThat(harness.extractOutputValues()).as("checkpoint 1 not complete yet").isEmpty();
      harness.notifyOfCompletedCheckpoint(1);
      assertThat(harness.extractOutputValues())
          .extracting(JobProgress.Row::completeBefore)
          .containsExactly(T);

      harness.processWatermark(new Watermark(start + minute - 1)); // [10:00, 10:01) fired
      harness.processWatermark(new Watermark(start + 3 * minute + 5)); // two more
      harness.snapshot(2, 2);
      harness.processWatermark(new Watermark(start + 4 * minute)); // after barrier 2
      harness.setProcessingTime(42);
      harness.notifyOfCompletedCheckpoint(2);
      // Checkpoint 3 never completes (aborted): checkpoint 4's completion publishes what it saw.
      harness.snapshot(3, 3);
      harness.processWatermark(new Watermark(start + 5 * minute));
      harness.snapshot(4, 4);
      harness.notifyOfCompletedCheckpoint(4);
      harness.processWatermark(new Watermark(start + 6 * minute));
      harness.processWatermark(new Watermark(Long.MAX_VALUE)); // end of input: no event time
      // The end of input publishes the newest at once (no checkpoint may follow it).
      harness.getOneInputOperator().finish();

      List<JobProgress.Row> rows = harness.extractOutputValues();
      assertThat(rows)
          .extracting(JobProgress.Row::completeBefore)
          .as("as of barrier 1, 2 and 4, and at the end of input")
          .containsExactly(
              T, T.plusSeconds(180), T.plus(Duration.ofMinutes(5)), T.plus(Duration.ofMinutes(6)));
      assertThat(rows.get(1).watermark()).isEqualTo(T.plusMillis(3 * minute + 5));
      assertThat(rows.get(1).updatedAt()).as("when published").isEqualTo(Instant.ofEpochMilli(42));
      assertThat(rows).allSatisfy(r -> assertThat(r.job()).isEqualTo("survey"));
      assertThat(
              harness.getOutput().stream()
                  .filter(Watermark.class::isInstance)
                  .map(w -> ((Watermark) w).getTimestamp())
                  .toList())
          .as("watermarks forwarded at once")
          .containsExactly(
              start + 10_000,
              start + 20_000,
              start + minute - 1,
              start + 3 * minute + 5,
              start + 4 * minute,
              start + 5 * minute,
              start + 6 * minute,
              Long.MAX_VALUE);
    }
  }

  @Test
  void theRunsFirstWindowIsItsFirstRowsWindowAndARestoreKeepsIt() throws Exception {
    JobProgress.Spec spec =
        new JobProgress.Spec(
            "survey", "cx_survey_window", Duration.ofMinutes(1), Duration.ZERO, Duration.ZERO);
    long minute = Duration.ofMinutes(1).toMillis();
    long start = T.toEpochMilli();
    // Rows are "window start in epoch ms" here.
    JobProgress.WindowStart<String> windowOf = row -> Instant.ofEpochMilli(Long.parseLong(row));
    OperatorSubtaskState snapshot;
    try (OneInputStreamOperatorTestHarness<String, JobProgress.Row> harness =
        new OneInputStreamOperatorTestHarness<>(new ProgressOperator<>(spec, windowOf))) {
      harness.open();
      harness.processWatermark(new Watermark(start - 1));
      harness.snapshot(1, 1);
      harness.notifyOfCompletedCheckpoint(1);
      // Another subtask's row of an earlier window may come after a later one.
      harness.processElement(String.valueOf(start + minute), start + 2 * minute - 1);
      harness.processElement(String.valueOf(start), start + minute - 1);
      harness.processWatermark(new Watermark(start + 2 * minute - 1));
      snapshot = harness.snapshot(2, 2);
      harness.notifyOfCompletedCheckpoint(2);
      assertThat(harness.extractOutputValues())
          .extracting(JobProgress.Row::runFirstWindow)
          .as("null before the first row, then the earliest row's window")
          .containsExactly(null, T);
    }
    try (OneInputStreamOperatorTestHarness<String, JobProgress.Row> restored =
        new OneInputStreamOperatorTestHarness<>(new ProgressOperator<>(spec, windowOf))) {
      restored.initializeState(snapshot);
      restored.open();
      restored.processElement(String.valueOf(start + 5 * minute), start + 6 * minute - 1);
      restored.processWatermark(new Watermark(start + 6 * minute - 1));
      restored.snapshot(3, 3);
      restored.notifyOfCompletedCheckpoint(3);
      assertThat(restored.extractOutputValues())
          .extracting(JobProgress.Row::runFirstWindow)
          .as("a run restored from a snapshot is the same run")
          .containsExactly(T);
    }
    try (OneInputStreamOperatorTestHarness<String, JobProgress.Row> fresh =
        new OneInputStreamOperatorTestHarness<>(new ProgressOperator<>(spec, windowOf))) {
      fresh.open();
      fresh.processElement(String.valueOf(start + 5 * minute), start + 6 * minute - 1);
      fresh.processWatermark(new Watermark(start + 6 * minute - 1));
      fresh.snapshot(1, 1);
      fresh.notifyOfCompletedCheckpoint(1);
      assertThat(fresh.extractOutputValues())
          .extracting(JobProgress.Row::runFirstWindow)
          .as("a run started without state has its own first window")
          .containsExactly(T.plus(Duration.ofMinutes(5)));
    }
  }

  @Test
  void aProgressRecordIsAFlinkPojo() {
    assertThat(TypeInformation.of(JobProgress.Row.class)).isInstanceOf(PojoTypeInfo.class);
  }
}
