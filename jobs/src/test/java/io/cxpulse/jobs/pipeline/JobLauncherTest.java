package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JobLauncherTest {

  @Test
  void warnsWhenDedupForgetsBeforeTheWindowCloses() {
    assertThat(
            JobLauncher.dedupTtlWarnings(
                Duration.ofMinutes(30), Duration.ofMinutes(1), Duration.ofHours(1), "trouble"))
        .containsExactly(
            "dedup TTL PT30M is shorter than window PT1M plus allowed lateness PT1H: trouble");
  }

  @Test
  void noWarningWhenDedupCoversWindowAndLateness() {
    assertThat(
            JobLauncher.dedupTtlWarnings(
                Duration.ofMinutes(61), Duration.ofMinutes(1), Duration.ofHours(1), "trouble"))
        .isEmpty();
  }
}
