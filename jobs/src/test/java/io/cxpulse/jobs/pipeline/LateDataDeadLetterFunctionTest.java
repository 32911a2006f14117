package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.DeadLetterReason;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.TestEvents;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.validation.RejectReason;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class LateDataDeadLetterFunctionTest {

  @Test
  void droppedEventBecomesTooLateAndLeavesTheCountedTotal() throws Exception {
    HarnessMetrics metrics = new HarnessMetrics();
    EventDescriptor<SurveyResponse> surveys =
        EventDescriptor.of(
            SurveyResponse.class,
            EventDecoder::surveys,
            SurveyResponse::getEventId,
            SurveyResponse::getEventTime);
    SurveyResponse event = TestEvents.survey().build();
    RawRecord raw = RawRecords.of(event, 17, TestEvents.NOW);

    try (OneInputStreamOperatorTestHarness<DecodedEvent<SurveyResponse>, DeadLetter> harness =
        new OneInputStreamOperatorTestHarness<>(
            new ProcessOperator<>(new LateDataDeadLetterFunction<>(surveys)),
            metrics.environment())) {
      harness.open();
      harness.processElement(new DecodedEvent<>(event, raw), event.getEventTime().toEpochMilli());

      assertThat(harness.extractOutputValues())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.getReason()).isEqualTo(DeadLetterReason.TOO_LATE);
                assertThat(d.getSourceOffset()).isEqualTo(17L);
                assertThat(d.getEventId()).isEqualTo(event.getEventId());
              });
      // The de-duplication operator counted it (+1); the job-wide sum must come back to 0.
      assertThat(metrics.count(PipelineMetrics.RECORDS_COUNTED)).isEqualTo(-1);
      assertThat(metrics.count(PipelineMetrics.deadLettered(RejectReason.TOO_LATE))).isOne();
    }
  }
}
