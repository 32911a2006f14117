package io.cxpulse.jobs.checkout;

import io.cxpulse.events.FunnelStep;
import java.io.Serializable;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * The outcome of one checkout, or the retraction of an earlier one: what {@link
 * CheckoutSessionFunction} emits for the abandonment window aggregation.
 *
 * <p><b>Retract + add.</b> A checkout's outcome can change after it was emitted: an order arriving
 * late after the abandonment timer fired, a late earlier step that moves the start or the last
 * step. The change is emitted as two records, in this order: the earlier outcome again with {@code
 * sign = -1} (same version as when it was added), then the new outcome with {@code sign = +1} and
 * {@code version + 1}. Every component a window row stores is then {@code Σ sign × component} over
 * the records of its window, which stays exact and additive however many corrections a checkout
 * goes through, even when the correction moves the checkout to another window (its start changed)
 * or another channel × segment: the retraction lands where the old outcome was counted, the
 * addition where the new one belongs.
 *
 * <p>Attribution: a checkout belongs to the window of {@link #getStart()} (DESIGN: abandonment is
 * attributed to the window in which the checkout started). {@link #getDecidedAt()} is the event
 * time at which the outcome was decided (the order time, or last step + inactivity timeout); the
 * record is emitted once the watermark reaches it. For the window of its start the record therefore
 * arrives {@code decidedAt - start} (at least the inactivity timeout, for an abandonment) after the
 * watermark passed the start: the aggregation must take it by {@code start} regardless of how far
 * the watermark is, not as a late element of an ordinary event-time window.
 *
 * <p>A Flink POJO.
 */
public class CheckoutOutcome implements Serializable {

  private static final long serialVersionUID = 1L;

  /** {@link #getSign()} of an outcome being added. */
  public static final int ADD = 1;

  /** {@link #getSign()} of an earlier outcome being taken back. */
  public static final int RETRACT = -1;

  private String checkoutId;
  private long version;
  private int sign;
  private CheckoutStatus status;
  private Instant start;
  private Instant decidedAt;
  private String channel;
  private String segment;
  private FunnelStep lastStep;
  private long cartValueMinor;
  private String currency;
  private String[] paymentFailureReasons;
  private String lastPaymentFailureReason;
  private Long completionTimeMillis;

  /** For Flink's POJO serializer. */
  public CheckoutOutcome() {}

  /** A copy of this outcome with {@code sign} -1, taking it back. */
  public CheckoutOutcome retraction() {
    CheckoutOutcome copy = copy();
    copy.sign = RETRACT;
    return copy;
  }

  /** A copy of this outcome with another version. */
  public CheckoutOutcome withVersion(long newVersion) {
    CheckoutOutcome copy = copy();
    copy.version = newVersion;
    return copy;
  }

  /** Whether this record takes back an earlier outcome. */
  public boolean isRetraction() {
    return sign == RETRACT;
  }

  /** Whether both describe the same outcome, ignoring version and sign. */
  public boolean sameOutcomeAs(CheckoutOutcome other) {
    return Objects.equals(checkoutId, other.checkoutId)
        && status == other.status
        && Objects.equals(start, other.start)
        && Objects.equals(decidedAt, other.decidedAt)
        && Objects.equals(channel, other.channel)
        && Objects.equals(segment, other.segment)
        && lastStep == other.lastStep
        && cartValueMinor == other.cartValueMinor
        && Objects.equals(currency, other.currency)
        && Arrays.equals(paymentFailureReasons, other.paymentFailureReasons)
        && Objects.equals(lastPaymentFailureReason, other.lastPaymentFailureReason)
        && Objects.equals(completionTimeMillis, other.completionTimeMillis);
  }

  private CheckoutOutcome copy() {
    CheckoutOutcome copy = new CheckoutOutcome();
    copy.checkoutId = checkoutId;
    copy.version = version;
    copy.sign = sign;
    copy.status = status;
    copy.start = start;
    copy.decidedAt = decidedAt;
    copy.channel = channel;
    copy.segment = segment;
    copy.lastStep = lastStep;
    copy.cartValueMinor = cartValueMinor;
    copy.currency = currency;
    copy.paymentFailureReasons =
        paymentFailureReasons == null ? null : paymentFailureReasons.clone();
    copy.lastPaymentFailureReason = lastPaymentFailureReason;
    copy.completionTimeMillis = completionTimeMillis;
    return copy;
  }

  /** The checkout_id. */
  public String getCheckoutId() {
    return checkoutId;
  }

  public void setCheckoutId(String checkoutId) {
    this.checkoutId = checkoutId;
  }

  /** 1 for a checkout's first outcome, one more for each correction; a retraction repeats it. */
  public long getVersion() {
    return version;
  }

  public void setVersion(long version) {
    this.version = version;
  }

  /** {@link #ADD} (+1) or {@link #RETRACT} (-1): the factor of every component in a window sum. */
  public int getSign() {
    return sign;
  }

  public void setSign(int sign) {
    this.sign = sign;
  }

  public CheckoutStatus getStatus() {
    return status;
  }

  public void setStatus(CheckoutStatus status) {
    this.status = status;
  }

  /** The earliest event time of the checkout: the window it is attributed to. */
  public Instant getStart() {
    return start;
  }

  public void setStart(Instant start) {
    this.start = start;
  }

  /** The order time (completed) or last step + inactivity timeout (abandoned). */
  public Instant getDecidedAt() {
    return decidedAt;
  }

  public void setDecidedAt(Instant decidedAt) {
    this.decidedAt = decidedAt;
  }

  /** The channel of the earliest event, as stored (lower case, see Dimensions). */
  public String getChannel() {
    return channel;
  }

  public void setChannel(String channel) {
    this.channel = channel;
  }

  /** The segment of the earliest event. */
  public String getSegment() {
    return segment;
  }

  public void setSegment(String segment) {
    this.segment = segment;
  }

  /** The highest funnel step reached (not the last to arrive). */
  public FunnelStep getLastStep() {
    return lastStep;
  }

  public void setLastStep(FunnelStep lastStep) {
    this.lastStep = lastStep;
  }

  /** The cart value of the latest step, in minor units of {@link #getCurrency()}. */
  public long getCartValueMinor() {
    return cartValueMinor;
  }

  public void setCartValueMinor(long cartValueMinor) {
    this.cartValueMinor = cartValueMinor;
  }

  public String getCurrency() {
    return currency;
  }

  public void setCurrency(String currency) {
    this.currency = currency;
  }

  /**
   * Distinct payment failure reasons seen, in event-time order of their last occurrence (so the
   * last one is {@link #getLastPaymentFailureReason()}); empty when none failed.
   */
  public String[] getPaymentFailureReasons() {
    return paymentFailureReasons;
  }

  public void setPaymentFailureReasons(String[] paymentFailureReasons) {
    this.paymentFailureReasons = paymentFailureReasons;
  }

  /**
   * The most recent payment failure reason, null when none: the one reason a checkout is counted
   * under in "abandoned by payment-failure reason", so those counts add up to the abandoned
   * checkouts that had a failure.
   */
  public String getLastPaymentFailureReason() {
    return lastPaymentFailureReason;
  }

  public void setLastPaymentFailureReason(String lastPaymentFailureReason) {
    this.lastPaymentFailureReason = lastPaymentFailureReason;
  }

  /** Order placed − start in milliseconds when completed, null when abandoned. */
  public Long getCompletionTimeMillis() {
    return completionTimeMillis;
  }

  public void setCompletionTimeMillis(Long completionTimeMillis) {
    this.completionTimeMillis = completionTimeMillis;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CheckoutOutcome other
        && version == other.version
        && sign == other.sign
        && sameOutcomeAs(other);
  }

  @Override
  public int hashCode() {
    return Objects.hash(checkoutId, version, sign, status, start);
  }

  @Override
  public String toString() {
    return "CheckoutOutcome{"
        + (sign == RETRACT ? "RETRACT " : "")
        + checkoutId
        + " v"
        + version
        + " "
        + status
        + " start="
        + start
        + " decidedAt="
        + decidedAt
        + " "
        + channel
        + "/"
        + segment
        + " lastStep="
        + lastStep
        + " cart="
        + cartValueMinor
        + " "
        + currency
        + " failures="
        + Arrays.toString(paymentFailureReasons)
        + " completionMs="
        + completionTimeMillis
        + "}";
  }
}
