package io.cxpulse.jobs.drivers;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The two small counting steps of the driver split job, so that nothing it drops goes uncounted.
 */
public final class DriverSplitCounters {

  /** Counter: valid survey responses without a ticket_id (not about a support contact). */
  public static final String SURVEYS_WITHOUT_TICKET = "driverSurveysWithoutTicket";

  /** Counter: joined surveys the window aggregation refused as too late for their window. */
  public static final String JOINED_TOO_LATE = "driverJoinedSurveysTooLate";

  private DriverSplitCounters() {}

  /** Passes surveys that reference a ticket; counts the others. */
  public static final class TicketReferenceFilter
      extends ProcessFunction<DecodedEvent<SurveyResponse>, DecodedEvent<SurveyResponse>> {

    private static final long serialVersionUID = 1L;

    private transient Counter withoutTicket;

    @Override
    public void open(OpenContext openContext) {
      withoutTicket = getRuntimeContext().getMetricGroup().counter(SURVEYS_WITHOUT_TICKET);
    }

    @Override
    public void processElement(
        DecodedEvent<SurveyResponse> survey,
        Context ctx,
        Collector<DecodedEvent<SurveyResponse>> out) {
      String ticketId = survey.getEvent().getTicketId();
      if (ticketId == null || ticketId.isBlank()) {
        withoutTicket.inc();
      } else {
        out.collect(survey);
      }
    }
  }

  /**
   * Counts joined surveys that came too late for their window and passes on the survey with its
   * Kafka record, for {@link io.cxpulse.jobs.pipeline.LateDataDeadLetterFunction} to dead-letter.
   * With the job's retention (join horizon + settle time) this needs an input that was idle and
   * resumed behind the watermark.
   */
  public static final class TooLateJoinedSurveys
      extends ProcessFunction<JoinedSurvey, DecodedEvent<SurveyResponse>> {

    private static final long serialVersionUID = 1L;

    private transient Counter tooLate;

    @Override
    public void open(OpenContext openContext) {
      tooLate = getRuntimeContext().getMetricGroup().counter(JOINED_TOO_LATE);
    }

    @Override
    public void processElement(
        JoinedSurvey joined, Context ctx, Collector<DecodedEvent<SurveyResponse>> out) {
      tooLate.inc();
      out.collect(joined.survey());
    }
  }
}
