package io.cxpulse.jobs.aggregate;

/**
 * Additive window components: what a window row stores, before any ratio or quantile is derived.
 * Implementations are Flink POJOs (they live in state and travel between the two phases).
 *
 * @param <C> the implementing type
 */
public interface WindowComponents<C extends WindowComponents<C>> {

  /** Adds {@code other}'s components to this one and returns this; {@code other} is unchanged. */
  C merge(C other);

  /**
   * How many input records these components absorbed, retractions included. It grows with every
   * record, so it is the row version: a later emission of a row always has a higher one.
   */
  long records();
}
