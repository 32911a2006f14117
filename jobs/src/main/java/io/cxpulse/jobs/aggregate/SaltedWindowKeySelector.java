package io.cxpulse.jobs.aggregate;

import org.apache.flink.api.java.functions.KeySelector;

/** Keys a record by its window row and a salt taken from its entity id. */
final class SaltedWindowKeySelector<IN> implements KeySelector<IN, WindowKey> {

  private static final long serialVersionUID = 1L;

  private final WindowAggregation.Attributor<IN> attributor;
  private final long windowMillis;
  private final int salts;

  SaltedWindowKeySelector(
      WindowAggregation.Attributor<IN> attributor, long windowMillis, int salts) {
    this.attributor = attributor;
    this.windowMillis = windowMillis;
    this.salts = salts;
  }

  @Override
  public WindowKey getKey(IN record) {
    Attribution where = attributor.attribute(record);
    return WindowKey.of(
            windowStart(where.timestampMillis(), windowMillis),
            where.channel(),
            where.segment(),
            where.priority())
        .withSalt(Math.floorMod(where.entityId().hashCode(), salts));
  }

  /** The start of the tumbling window holding {@code timestampMillis}, as Flink aligns them. */
  static long windowStart(long timestampMillis, long windowMillis) {
    return Math.floorDiv(timestampMillis, windowMillis) * windowMillis;
  }
}
