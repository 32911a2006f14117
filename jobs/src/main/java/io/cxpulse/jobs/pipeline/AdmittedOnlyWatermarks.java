package io.cxpulse.jobs.pipeline;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Watermarks from admitted events only: a rejected record (garbage, a clock far ahead) never moves
 * event time, though it travels in the same stream to the dead letters.
 *
 * @param <T> the generated Avro record type
 */
final class AdmittedOnlyWatermarks<T> implements WatermarkGenerator<GateOutcome<T>> {

  private final WatermarkGenerator<GateOutcome<T>> admitted;

  AdmittedOnlyWatermarks(WatermarkGenerator<GateOutcome<T>> admitted) {
    this.admitted = admitted;
  }

  @Override
  public void onEvent(GateOutcome<T> outcome, long timestamp, WatermarkOutput output) {
    if (outcome.isAdmitted()) {
      admitted.onEvent(outcome, timestamp, output);
    }
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    admitted.onPeriodicEmit(output);
  }
}
