package io.cxpulse.jobs.tickets;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts and logs the ticket facts that the window aggregation refused as too late for their window
 * ({@code WindowAggregation.Output#tooLate()}), so that none is lost silently.
 *
 * <p>They are facts, not input records: the event that produced a fact was counted when it passed
 * the lateness check, so nothing is dead-lettered and the record counters are not touched. With the
 * ticket job's retention (see {@link TicketJob#windowAggregation}) this should never happen: the
 * front keeps the stages after it aligned when traffic resumes after a pause ({@code
 * EventFront.DownstreamIdleness}), which is what refused facts after a broker restart on the
 * cluster before. Each fact is logged at WARN with its ticket, because each one leaves a window row
 * wrong (raise the allowed lateness if it recurs), and the counter {@value #FACTS_TOO_LATE} lets
 * alerting see it.
 */
public class TooLateFactsFunction extends ProcessFunction<TicketOutcome, Void> {

  private static final long serialVersionUID = 1L;

  private static final Logger LOG = LoggerFactory.getLogger(TooLateFactsFunction.class);

  /** Counter: facts the window aggregation refused as too late. */
  public static final String FACTS_TOO_LATE = "ticketFactsTooLate";

  private transient Counter tooLate;

  @Override
  public void open(OpenContext openContext) {
    tooLate = getRuntimeContext().getMetricGroup().counter(FACTS_TOO_LATE);
  }

  @Override
  public void processElement(TicketOutcome fact, Context ctx, Collector<Void> out) {
    tooLate.inc();
    LOG.warn(
        "Ticket {}: fact {} at {} came after its window's retention (watermark {}) and is not in"
            + " the window row; its window now misses it",
        fact.getTicketId(),
        fact,
        fact.getAt(),
        ctx.timerService().currentWatermark());
  }
}
