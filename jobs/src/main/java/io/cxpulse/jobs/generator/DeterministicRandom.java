package io.cxpulse.jobs.generator;

/**
 * SplitMix64, spelled out here rather than borrowed from the JDK.
 *
 * <p>The generated traffic is a test fixture: the same seed must give the same bytes on every JDK
 * and every machine, for years. {@link java.util.SplittableRandom} does not promise its algorithm
 * in its contract, and {@link java.util.Random} is a weak LCG; SplitMix64 is ten lines, fully
 * specified and statistically good enough for traffic mixes.
 */
final class DeterministicRandom {

  private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
  private static final double DOUBLE_UNIT = 0x1.0p-53;

  private long state;

  DeterministicRandom(long seed) {
    this.state = seed;
  }

  long nextLong() {
    state += GOLDEN_GAMMA;
    return mix64(state);
  }

  /** Uniform in [0, 1). */
  double nextDouble() {
    return (nextLong() >>> 11) * DOUBLE_UNIT;
  }

  /** Uniform in [0, bound]; bound at least 0. */
  long nextLongInclusive(long bound) {
    // Modulo bias is below 2^-40 for the bounds used here (milliseconds of a few hours).
    return Math.floorMod(nextLong(), bound + 1);
  }

  /** Stafford's variant 13 finaliser, as in SplitMix64. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
