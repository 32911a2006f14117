package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.survey.SurveyJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamElement;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.OneInputStreamTask;
import org.apache.flink.streaming.runtime.tasks.StreamTaskMailboxTestHarness;
import org.apache.flink.streaming.runtime.tasks.StreamTaskMailboxTestHarnessBuilder;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * Traffic resuming after every partition paused (a quiet night, a broker restart), through the
 * front's two de-duplication subtasks into a real two-channel task of the stage after them.
 *
 * <p>Both subtasks get the same upstream watermarks; a record of the backlog goes to the second
 * one. The stage's task (Flink's own input valve) takes the first subtask's whole output before the
 * second's, as a network buffer flushed a moment earlier delivers it. When the front announces
 * idleness, the stage follows the first channel alone while the second is idle, and the second's
 * record arrives behind the stage's watermark: that is how the ticket windows refused facts after a
 * broker restart on the cluster. When the front hides it, the stage takes the minimum and the
 * record is on time.
 */
class ResumeAfterIdleTest {

  private static final EventDescriptor<SurveyResponse> SURVEYS = SurveyJob.SURVEY_RESPONSES;

  private static final Instant BEFORE_THE_PAUSE = Instant.parse("2025-06-01T12:00:00Z");
  private static final Instant IN_THE_BACKLOG = BEFORE_THE_PAUSE.plus(Duration.ofHours(1));
  private static final Instant AFTER_THE_BACKLOG = BEFORE_THE_PAUSE.plus(Duration.ofHours(3));

  @Test
  void withIdlenessAnnouncedTheSecondChannelsRecordArrivesBehindTheStagesWatermark()
      throws Exception {
    assertThat(stageSees(EventFront.DownstreamIdleness.ANNOUNCED))
        .containsExactly("backlog-1 late");
  }

  @Test
  void withIdlenessHiddenTheStageWaitsForBothChannelsAndTheRecordIsOnTime() throws Exception {
    assertThat(stageSees(EventFront.DownstreamIdleness.HIDDEN))
        .containsExactly("backlog-1 on time");
  }

  @Test
  void aHiddenPauseStillMovesTheWatermarkOn() throws Exception {
    List<StreamElement> out =
        frontSubtask(EventFront.DownstreamIdleness.HIDDEN, List.of(), AFTER_THE_BACKLOG);
    assertThat(out)
        .containsExactly(
            new Watermark(BEFORE_THE_PAUSE.toEpochMilli()),
            new Watermark(AFTER_THE_BACKLOG.toEpochMilli()));
  }

  /**
   * A drain after a pause the front announced: it turns active before it sends the end of event
   * time, or the idle output would drop that watermark (FLINK-40499) and no window would close.
   */
  @Test
  void aDrainAfterAnAnnouncedPauseTurnsActiveBeforeTheFinalWatermark() throws Exception {
    try (KeyedOneInputStreamOperatorTestHarness<
            String, DecodedEvent<SurveyResponse>, DecodedEvent<SurveyResponse>>
        subtask = subtask(EventFront.DownstreamIdleness.ANNOUNCED)) {
      subtask.open();
      subtask.processWatermark(BEFORE_THE_PAUSE.toEpochMilli());
      subtask.processWatermarkStatus(WatermarkStatus.IDLE);
      subtask.endInput();
      assertThat(subtask.getOutput())
          .containsExactly(
              new Watermark(BEFORE_THE_PAUSE.toEpochMilli()),
              WatermarkStatus.IDLE,
              WatermarkStatus.ACTIVE,
              Watermark.MAX_WATERMARK);
    }
  }

  /** What the stage after the front says of each record it receives. */
  private static List<String> stageSees(EventFront.DownstreamIdleness idleness) throws Exception {
    List<StreamElement> first = frontSubtask(idleness, List.of(), AFTER_THE_BACKLOG);
    List<StreamElement> second =
        frontSubtask(idleness, List.of(survey("backlog-1", IN_THE_BACKLOG)), AFTER_THE_BACKLOG);
    try (StreamTaskMailboxTestHarness<String> stage =
        new StreamTaskMailboxTestHarnessBuilder<>(OneInputStreamTask::new, Types.STRING)
            .addInput(DecodedEvent.typeInfo(SurveyResponse.class), 2)
            .setupOutputForSingletonOperatorChain(new ProcessOperator<>(new LateOrOnTime()))
            .build()) {
      for (StreamElement element : first) {
        stage.processElement(element, 0, 0);
      }
      for (StreamElement element : second) {
        stage.processElement(element, 0, 1);
      }
      List<String> seen = new ArrayList<>();
      for (Object element : stage.getOutput()) {
        if (element instanceof StreamRecord<?> record) {
          seen.add((String) record.getValue());
        }
      }
      return seen;
    }
  }

  /**
   * The output of one real de-duplication subtask: the watermark before the pause, every input
   * idle, traffic again with {@code backlog}, then the watermark after it.
   */
  private static List<StreamElement> frontSubtask(
      EventFront.DownstreamIdleness idleness,
      List<DecodedEvent<SurveyResponse>> backlog,
      Instant watermarkAfter)
      throws Exception {
    try (KeyedOneInputStreamOperatorTestHarness<
            String, DecodedEvent<SurveyResponse>, DecodedEvent<SurveyResponse>>
        subtask = subtask(idleness)) {
      subtask.open();
      subtask.processWatermark(BEFORE_THE_PAUSE.toEpochMilli());
      subtask.processWatermarkStatus(WatermarkStatus.IDLE);
      subtask.processWatermarkStatus(WatermarkStatus.ACTIVE);
      for (DecodedEvent<SurveyResponse> event : backlog) {
        subtask.processElement(event, event.getEvent().getEventTime().toEpochMilli());
      }
      subtask.processWatermark(watermarkAfter.toEpochMilli());
      List<StreamElement> out = new ArrayList<>();
      for (Object element : subtask.getOutput()) {
        out.add((StreamElement) element);
      }
      return out;
    }
  }

  /** One de-duplication subtask of the front, a minute window and an hour of allowed lateness. */
  private static KeyedOneInputStreamOperatorTestHarness<
          String, DecodedEvent<SurveyResponse>, DecodedEvent<SurveyResponse>>
      subtask(EventFront.DownstreamIdleness idleness) throws Exception {
    return new KeyedOneInputStreamOperatorTestHarness<>(
        new DedupAndLatenessOperator<>(
            new DedupAndLatenessFunction<>(
                SURVEYS, Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1)),
            idleness),
        new EventIdKeySelector<>(SURVEYS),
        Types.STRING);
  }

  private static DecodedEvent<SurveyResponse> survey(String eventId, Instant eventTime) {
    SurveyResponse event = TestEvents.survey().setEventId(eventId).setEventTime(eventTime).build();
    return new DecodedEvent<>(event, RawRecords.of(event, 0, eventTime.plusSeconds(1)));
  }

  /** Says whether the stage's watermark had passed each record when it arrived. */
  private static final class LateOrOnTime
      extends ProcessFunction<DecodedEvent<SurveyResponse>, String> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(
        DecodedEvent<SurveyResponse> event, Context ctx, Collector<String> out) {
      boolean late = ctx.timestamp() <= ctx.timerService().currentWatermark();
      out.collect(event.getEvent().getEventId() + (late ? " late" : " on time"));
    }
  }
}
