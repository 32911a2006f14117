package io.cxpulse.jobs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class EagerBoundedOutOfOrdernessTest {

  private static final class Recording implements WatermarkOutput {
    final List<Long> watermarks = new ArrayList<>();

    @Override
    public void emitWatermark(Watermark watermark) {
      watermarks.add(watermark.getTimestamp());
    }

    @Override
    public void markIdle() {}

    @Override
    public void markActive() {}
  }

  @Test
  void emitsFromTheDataOncePerStepWithoutWaitingForTheTimer() {
    EagerBoundedOutOfOrderness<String> generator =
        new EagerBoundedOutOfOrderness<>(Duration.ofSeconds(5), Duration.ofSeconds(1));
    Recording output = new Recording();
    generator.onEvent("a", 10_000, output);
    generator.onEvent("b", 10_500, output);
    generator.onEvent("late but within bound", 6_000, output);
    generator.onEvent("c", 11_000, output);
    generator.onEvent("d", 20_000, output);
    assertThat(output.watermarks).containsExactly(4_999L, 5_999L, 14_999L);
  }

  @Test
  void periodicEmitCatchesUpWithinAStepAndNeverRegresses() {
    EagerBoundedOutOfOrderness<String> generator =
        new EagerBoundedOutOfOrderness<>(Duration.ofSeconds(5), Duration.ofSeconds(1));
    Recording output = new Recording();
    generator.onEvent("a", 10_000, output);
    generator.onEvent("b", 10_400, output);
    generator.onPeriodicEmit(output);
    generator.onPeriodicEmit(output);
    generator.onEvent("older", 1_000, output);
    generator.onPeriodicEmit(output);
    assertThat(output.watermarks).containsExactly(4_999L, 5_399L);
  }
}
