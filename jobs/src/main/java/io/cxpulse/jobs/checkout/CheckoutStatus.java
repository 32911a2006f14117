package io.cxpulse.jobs.checkout;

/** How a checkout session ended. */
public enum CheckoutStatus {
  /** An order was placed within the inactivity timeout after every earlier step. */
  COMPLETED,
  /** The inactivity timeout passed, in event time, without an order. */
  ABANDONED
}
