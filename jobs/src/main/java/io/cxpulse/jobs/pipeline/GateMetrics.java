package io.cxpulse.jobs.pipeline;

import io.cxpulse.jobs.validation.RejectReason;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The gate's reconciliation counters ({@value PipelineMetrics#RECORDS_IN} and one {@code
 * deadLettered_<REASON>} per reason of {@link RecordGate#REASONS}), wherever the gate runs: in the
 * Kafka source's deserializer or in {@link DecodeAndValidateFunction}.
 */
final class GateMetrics {

  private final MetricGroup group;
  private final Counter recordsIn;
  private final Map<RejectReason, Counter> deadLettered;

  GateMetrics(MetricGroup group) {
    this.group = group;
    this.recordsIn = group.counter(PipelineMetrics.RECORDS_IN);
    this.deadLettered = PipelineMetrics.registerDeadLetterCounters(group, RecordGate.REASONS);
  }

  void count(GateOutcome<?> outcome) {
    recordsIn.inc();
    if (!outcome.isAdmitted()) {
      // A reason outside REASONS would be a gate bug; count it anyway rather than lose it.
      deadLettered
          .computeIfAbsent(
              outcome.rejectReason(), r -> group.counter(PipelineMetrics.deadLettered(r)))
          .inc();
    }
  }
}
