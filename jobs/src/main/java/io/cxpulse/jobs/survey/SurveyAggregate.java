package io.cxpulse.jobs.survey;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Aggregates survey responses into their window's {@link SurveyAccumulator}, one response at a
 * time.
 *
 * <p>Mergeable ({@link #merge}), so a later two-phase aggregation for hot keys (pre-aggregate per
 * sub-key, then merge per channel and segment) can reuse it unchanged.
 */
public class SurveyAggregate
    implements AggregateFunction<
        DecodedEvent<SurveyResponse>, SurveyAccumulator, SurveyAccumulator> {

  private static final long serialVersionUID = 1L;

  @Override
  public SurveyAccumulator createAccumulator() {
    return new SurveyAccumulator();
  }

  @Override
  public SurveyAccumulator add(DecodedEvent<SurveyResponse> value, SurveyAccumulator accumulator) {
    return accumulator.add(value.getEvent());
  }

  @Override
  public SurveyAccumulator getResult(SurveyAccumulator accumulator) {
    return accumulator;
  }

  @Override
  public SurveyAccumulator merge(SurveyAccumulator a, SurveyAccumulator b) {
    return a.merge(b);
  }
}
