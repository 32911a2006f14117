package io.cxpulse.jobs.drivers;

import java.util.Locale;

/** Whether a ticket's first response met its SLA target; stored in lower case. */
public enum SlaOutcome {
  /** First agent reply at or before opened + target. */
  MET,
  /** First agent reply after the target, or none by the deadline. */
  BREACHED;

  /** The value stored in {@code cx_driver_window.sla_outcome}: {@code met} or {@code breached}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
