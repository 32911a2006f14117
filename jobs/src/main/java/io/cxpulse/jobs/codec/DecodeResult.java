package io.cxpulse.jobs.codec;

import io.cxpulse.jobs.validation.RejectReason;
import java.util.Objects;

/**
 * Outcome of decoding one Kafka value: the record, or a {@link RejectReason} ({@link
 * RejectReason#UNDECODABLE} or {@link RejectReason#UNKNOWN_SCHEMA}) with a human-readable detail
 * for the dead-letter record.
 *
 * <p>A value rather than an exception because bad input is an expected, per-record outcome that the
 * job routes to a side output, and it must never fail the job.
 *
 * @param <T> the decoded record type
 */
public final class DecodeResult<T> {

  private final T value;
  private final RejectReason reason;
  private final String detail;

  private DecodeResult(T value, RejectReason reason, String detail) {
    this.value = value;
    this.reason = reason;
    this.detail = detail;
  }

  /** A successfully decoded record. */
  public static <T> DecodeResult<T> ok(T value) {
    return new DecodeResult<>(Objects.requireNonNull(value), null, null);
  }

  /** A value that could not be decoded for {@code reason}, explained by {@code detail}. */
  public static <T> DecodeResult<T> failure(RejectReason reason, String detail) {
    return new DecodeResult<>(null, Objects.requireNonNull(reason), Objects.requireNonNull(detail));
  }

  /** Whether the value decoded. */
  public boolean isOk() {
    return reason == null;
  }

  /**
   * The decoded record.
   *
   * @throws IllegalStateException if decoding failed
   */
  public T value() {
    if (!isOk()) {
      throw new IllegalStateException("decoding failed: " + reason + ": " + detail);
    }
    return value;
  }

  /**
   * Why decoding failed.
   *
   * @throws IllegalStateException if decoding succeeded
   */
  public RejectReason reason() {
    requireFailure();
    return reason;
  }

  /**
   * Human-readable explanation of the failure.
   *
   * @throws IllegalStateException if decoding succeeded
   */
  public String detail() {
    requireFailure();
    return detail;
  }

  private void requireFailure() {
    if (isOk()) {
      throw new IllegalStateException("decoding succeeded, there is no failure");
    }
  }

  @Override
  public String toString() {
    return isOk() ? "DecodeResult{" + value + "}" : "DecodeResult{" + reason + ": " + detail + "}";
  }
}
