package io.cxpulse.jobs.checkout;

import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accounts for checkout outcomes that reached the window aggregation after their window's retention
 * (window end + allowed lateness + max checkout duration), which it therefore did not count.
 *
 * <p>These are outcomes, not input records: their events were counted in {@code recordsCounted} and
 * are not dead letters; what is lost is the checkout's contribution to its start window's row. It
 * happens only to a checkout that took longer than the max checkout duration from its first event
 * to its decision (or whose correction came later than that plus the allowed lateness), so every
 * one is counted in {@value #OUTCOMES_TOO_LATE} and logged at WARN with its checkout id: a steady
 * stream of them means {@code --max-checkout-duration} is too short for the traffic. Emits nothing.
 */
public class TooLateOutcomeFunction extends ProcessFunction<CheckoutOutcome, CheckoutOutcome> {

  private static final long serialVersionUID = 1L;

  private static final Logger LOG = LoggerFactory.getLogger(TooLateOutcomeFunction.class);

  /** Counter: outcome records (additions and retractions) too late for their window row. */
  public static final String OUTCOMES_TOO_LATE = "checkoutOutcomesTooLate";

  private final Duration retention;

  private transient Counter tooLate;

  /**
   * @param retention the window aggregation's retention, for the log message
   */
  public TooLateOutcomeFunction(Duration retention) {
    this.retention = retention;
  }

  @Override
  public void open(OpenContext openContext) {
    tooLate = getRuntimeContext().getMetricGroup().counter(OUTCOMES_TOO_LATE);
  }

  @Override
  public void processElement(CheckoutOutcome outcome, Context ctx, Collector<CheckoutOutcome> out) {
    tooLate.inc();
    LOG.warn(
        "Checkout {} outcome {} (v{}, sign {}, started {}, decided {}) arrived at watermark {},"
            + " after its window's retention of {}; not counted in cx_checkout_window. Raise"
            + " --max-checkout-duration if this recurs.",
        outcome.getCheckoutId(),
        outcome.getStatus(),
        outcome.getVersion(),
        outcome.getSign(),
        outcome.getStart(),
        outcome.getDecidedAt(),
        Instant.ofEpochMilli(ctx.timerService().currentWatermark()),
        retention);
  }
}
