package io.cxpulse.jobs.drivers;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.RawRecord;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * A survey response joined with the first-response outcome of the ticket it references: what {@link
 * SurveyTicketJoinFunction} emits for the driver window aggregation. It keeps the Kafka record the
 * survey came from, so a joined survey the window refuses as too late is dead-lettered with its
 * coordinates and raw bytes like any other. A Flink POJO with an Avro field (see {@link
 * #typeInfo()}).
 */
public class JoinedSurvey {

  private SurveyResponse response;
  private RawRecord source;
  private DriverOutcome outcome;

  /** For Flink's POJO serializer. */
  public JoinedSurvey() {}

  /** The survey of {@code survey} (with its Kafka record) joined with {@code outcome}. */
  public JoinedSurvey(DecodedEvent<SurveyResponse> survey, DriverOutcome outcome) {
    this.response = Objects.requireNonNull(survey.getEvent(), "response");
    this.source = Objects.requireNonNull(survey.getSource(), "source");
    this.outcome = Objects.requireNonNull(outcome, "outcome");
  }

  /** The Flink type: a POJO whose response field is serialized as Avro. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static TypeInformation<JoinedSurvey> typeInfo() {
    return (TypeInformation)
        Types.POJO(
            JoinedSurvey.class,
            Map.of(
                "response",
                TypeInformation.of(SurveyResponse.class),
                "source",
                TypeInformation.of(RawRecord.class),
                "outcome",
                TypeInformation.of(DriverOutcome.class)));
  }

  public SurveyResponse getResponse() {
    return response;
  }

  public void setResponse(SurveyResponse response) {
    this.response = response;
  }

  /** The Kafka record the survey was decoded from. */
  public RawRecord getSource() {
    return source;
  }

  public void setSource(RawRecord source) {
    this.source = source;
  }

  /** The survey as it came in: the decoded event and its Kafka record. */
  public DecodedEvent<SurveyResponse> survey() {
    return new DecodedEvent<>(response, source);
  }

  public DriverOutcome getOutcome() {
    return outcome;
  }

  public void setOutcome(DriverOutcome outcome) {
    this.outcome = outcome;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JoinedSurvey other
        && Objects.equals(response, other.response)
        && Objects.equals(source, other.source)
        && Objects.equals(outcome, other.outcome);
  }

  @Override
  public int hashCode() {
    return Objects.hash(response, source, outcome);
  }

  @Override
  public String toString() {
    return "JoinedSurvey{" + response.getEventId() + " " + outcome + "}";
  }
}
