package io.cxpulse.jobs.alerts;

import java.util.concurrent.atomic.AtomicLong;

/** {@link WebhookSender.Counters} that count, for assertions. */
final class CountingCounters implements WebhookSender.Counters {

  final AtomicLong sent = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong dropped = new AtomicLong();
  final AtomicLong retried = new AtomicLong();

  @Override
  public void sent() {
    sent.incrementAndGet();
  }

  @Override
  public void failed() {
    failed.incrementAndGet();
  }

  @Override
  public void dropped() {
    dropped.incrementAndGet();
  }

  @Override
  public void retried() {
    retried.incrementAndGet();
  }

  /** Bodies whose fate is decided: sent, failed or dropped. */
  long settled() {
    return sent.get() + failed.get() + dropped.get();
  }
}
