package io.cxpulse.jobs.pipeline;

import io.cxpulse.jobs.validation.RejectReason;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Names of the reconciliation counters every job registers, and a helper to register them.
 *
 * <p>The counters make "nothing lost" checkable from the outside:
 *
 * <pre>
 * recordsIn = recordsCounted + Σ deadLettered_&lt;REASON&gt;
 * </pre>
 *
 * where each metric is summed over all operators and subtasks of the job that register it:
 *
 * <ul>
 *   <li>{@value #RECORDS_IN}: the decode function, once per Kafka record read;
 *   <li>{@value #RECORDS_COUNTED}: the de-duplication and lateness function, once per event it
 *       forwards to the window; the window's late-data safety net decrements it for an event the
 *       window dropped after all (see {@link LateDataDeadLetterFunction});
 *   <li>{@code deadLettered_<REASON>} (e.g. {@code deadLettered_DUPLICATE}): the operator that
 *       decided the reason — decode ({@code UNDECODABLE} … {@code FUTURE_EVENT_TIME}),
 *       de-duplication ({@code DUPLICATE}, {@code TOO_LATE}) and the safety net ({@code TOO_LATE}).
 * </ul>
 *
 * <p>Flat names rather than a metric subgroup per reason so every reporter (JMX, Prometheus, the
 * REST API) shows them the same way next to Flink's own operator metrics. Counters live as long as
 * the task: after a restart from a checkpoint they start again from zero, while the state and the
 * Kafka offsets rewind, so reconcile them per run (or over a bounded run), not across restarts.
 */
public final class PipelineMetrics {

  /** Records read from Kafka, registered by the decode function. */
  public static final String RECORDS_IN = "recordsIn";

  /** Events forwarded to the window, i.e. counted in a metric. */
  public static final String RECORDS_COUNTED = "recordsCounted";

  /** Prefix of the per-reason dead-letter counters; the reason's name follows. */
  public static final String DEAD_LETTERED_PREFIX = "deadLettered_";

  private PipelineMetrics() {}

  /** The counter name for records dead-lettered for {@code reason}, e.g. deadLettered_DUPLICATE. */
  public static String deadLettered(RejectReason reason) {
    return DEAD_LETTERED_PREFIX + reason.name();
  }

  /** Registers one dead-letter counter per reason in {@code reasons} on {@code group}. */
  public static Map<RejectReason, Counter> registerDeadLetterCounters(
      MetricGroup group, Collection<RejectReason> reasons) {
    Map<RejectReason, Counter> counters = new EnumMap<>(RejectReason.class);
    for (RejectReason reason : reasons) {
      counters.put(reason, group.counter(deadLettered(reason)));
    }
    return counters;
  }
}
