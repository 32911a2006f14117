package io.cxpulse.jobs.checkout;

/** How a checkout session ended, or that it has not ended yet. */
public enum CheckoutStatus {
  /** An order was placed within the inactivity timeout after every earlier step. */
  COMPLETED,
  /** The inactivity timeout passed, in event time, without an order. */
  ABANDONED,
  /**
   * Started, not decided yet: the watermark has not reached the order or the inactivity timeout.
   * Counted in the window rows' {@code pending} until its decision takes it back, so the newest
   * windows say how many of their checkouts are still open instead of reading 0 % abandoned.
   */
  PENDING
}
