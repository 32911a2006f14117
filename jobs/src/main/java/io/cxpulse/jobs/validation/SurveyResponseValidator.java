package io.cxpulse.jobs.validation;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.metrics.ScoreScale;
import java.time.Duration;

/**
 * Validates {@link SurveyResponse}s before they are counted in CSAT, NPS or CES.
 *
 * <p>Rules: event_id, survey_id, response_id and segment are not blank (nor the rollup marker
 * {@code all}); the survey type is known and the score lies on its scale (CSAT 1–5, NPS 0–10, CES
 * 1–7, see {@link ScoreScale}); every string field and event_time are within the {@link EventGate}
 * bounds. A type that reads as {@code UNKNOWN} is rejected as out of range: without a scale its
 * score cannot be checked or classified.
 */
public final class SurveyResponseValidator implements EventValidator<SurveyResponse> {

  private static final long serialVersionUID = 1L;

  private final Checks checks;

  /** A validator with the default bounds, {@link EventGate#DEFAULT}. */
  public SurveyResponseValidator() {
    this(EventGate.DEFAULT);
  }

  /** A validator with the default bounds but allowing event_time {@code maxFutureSkew} ahead. */
  public SurveyResponseValidator(Duration maxFutureSkew) {
    this(EventGate.DEFAULT.withMaxFutureSkew(maxFutureSkew));
  }

  /** A validator with the bounds of {@code gate}. */
  public SurveyResponseValidator(EventGate gate) {
    this.checks = new Checks(gate);
  }

  /** The bounds this validator applies. */
  public EventGate gate() {
    return checks.gate();
  }

  /** How far event_time may run ahead of the reference time. */
  public Duration maxFutureSkew() {
    return checks.gate().maxFutureSkew();
  }

  /** The scale of {@code type}, or null for {@code UNKNOWN}, which has none. */
  public static ScoreScale scaleOf(SurveyType type) {
    return switch (type) {
      case CSAT -> ScoreScale.CSAT;
      case NPS -> ScoreScale.NPS;
      case CES -> ScoreScale.CES;
      case UNKNOWN -> null;
    };
  }

  @Override
  public ValidationResult validate(SurveyResponse event, long referenceTimeMillis) {
    ValidationResult failure = Checks.requireText("event_id", event.getEventId());
    if (failure == null) {
      failure = Checks.requireText("survey_id", event.getSurveyId());
    }
    if (failure == null) {
      failure = Checks.requireText("response_id", event.getResponseId());
    }
    if (failure == null) {
      failure = Checks.requireSegment(event.getSegment());
    }
    if (failure == null) {
      failure = Checks.requirePresent("event_time", event.getEventTime());
    }
    if (failure == null) {
      failure = Checks.requirePresent("channel", event.getChannel());
    }
    if (failure == null) {
      failure = Checks.requirePresent("survey_type", event.getSurveyType());
    }
    if (failure == null) {
      failure = checks.checkText(event);
    }
    if (failure != null) {
      return failure;
    }
    ScoreScale scale = scaleOf(event.getSurveyType());
    if (scale == null) {
      return ValidationResult.reject(
          RejectReason.OUT_OF_RANGE,
          "survey_type " + event.getSurveyType() + " has no known score scale");
    }
    int score = event.getScore();
    if (!scale.contains(score)) {
      return ValidationResult.reject(
          RejectReason.OUT_OF_RANGE,
          "score " + score + " outside " + scale + " scale " + scale.min() + ".." + scale.max());
    }
    failure = checks.checkEventTime(event.getEventTime(), referenceTimeMillis);
    return failure != null ? failure : ValidationResult.ok();
  }
}
