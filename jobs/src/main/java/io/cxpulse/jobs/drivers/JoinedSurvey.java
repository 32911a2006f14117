package io.cxpulse.jobs.drivers;

import io.cxpulse.events.SurveyResponse;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * A survey response joined with the first-response outcome of the ticket it references: what {@link
 * SurveyTicketJoinFunction} emits for the driver window aggregation. A Flink POJO with an Avro
 * field (see {@link #typeInfo()}).
 */
public class JoinedSurvey {

  private SurveyResponse response;
  private DriverOutcome outcome;

  /** For Flink's POJO serializer. */
  public JoinedSurvey() {}

  public JoinedSurvey(SurveyResponse response, DriverOutcome outcome) {
    this.response = Objects.requireNonNull(response, "response");
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
                "outcome",
                TypeInformation.of(DriverOutcome.class)));
  }

  public SurveyResponse getResponse() {
    return response;
  }

  public void setResponse(SurveyResponse response) {
    this.response = response;
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
        && Objects.equals(outcome, other.outcome);
  }

  @Override
  public int hashCode() {
    return Objects.hash(response, outcome);
  }

  @Override
  public String toString() {
    return "JoinedSurvey{" + response.getEventId() + " " + outcome + "}";
  }
}
