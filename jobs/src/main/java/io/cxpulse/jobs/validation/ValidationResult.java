package io.cxpulse.jobs.validation;

import java.util.Objects;

/**
 * Outcome of validating one event: OK, or a {@link RejectReason} with a human-readable detail that
 * goes into the dead-letter record.
 *
 * <p>A value rather than an exception because rejection is an expected, per-record outcome that the
 * job routes to a side output; exceptions would cost a stack trace per bad record.
 */
public final class ValidationResult {

  private static final ValidationResult OK = new ValidationResult(null, null);

  private final RejectReason reason;
  private final String detail;

  private ValidationResult(RejectReason reason, String detail) {
    this.reason = reason;
    this.detail = detail;
  }

  /** The event may be counted. */
  public static ValidationResult ok() {
    return OK;
  }

  /** The event must be dead-lettered for {@code reason}, explained by {@code detail}. */
  public static ValidationResult reject(RejectReason reason, String detail) {
    return new ValidationResult(Objects.requireNonNull(reason), Objects.requireNonNull(detail));
  }

  /** Whether the event may be counted. */
  public boolean isOk() {
    return reason == null;
  }

  /**
   * Why the event was rejected.
   *
   * @throws IllegalStateException if the result is OK
   */
  public RejectReason reason() {
    requireRejected();
    return reason;
  }

  /**
   * Human-readable explanation of the rejection.
   *
   * @throws IllegalStateException if the result is OK
   */
  public String detail() {
    requireRejected();
    return detail;
  }

  private void requireRejected() {
    if (isOk()) {
      throw new IllegalStateException("result is OK, it has no rejection reason");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ValidationResult other
        && reason == other.reason
        && Objects.equals(detail, other.detail);
  }

  @Override
  public int hashCode() {
    return Objects.hash(reason, detail);
  }

  @Override
  public String toString() {
    return isOk() ? "ValidationResult{OK}" : "ValidationResult{" + reason + ": " + detail + "}";
  }
}
