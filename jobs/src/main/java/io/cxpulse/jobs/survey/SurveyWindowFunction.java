package io.cxpulse.jobs.survey;

import java.time.Instant;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Turns a window's {@link SurveyAccumulator} into a versioned {@link SurveyWindowRow} each time the
 * window fires: once when the watermark passes the window's end, and once more for every late
 * response within the allowed lateness.
 *
 * <p><b>Version = number of responses in the row.</b> It is deterministic: it depends only on which
 * responses the row holds, not on when or how often the job ran, so a replay from a checkpoint
 * writes the same (key, version) rows again and {@code ReplacingMergeTree(version)} collapses them.
 * It is monotone: every firing after the first adds at least one response (the event-time trigger
 * re-fires only for a new late element), so a re-emitted row always has a higher version than the
 * one it replaces, and the final row, with all accepted responses, has the highest version. A
 * processing-time stamp would differ on replay; a firing counter depends on how the responses
 * happen to split into on-time and late ones, which varies with watermark timing between runs.
 *
 * <p>Two emissions with the same version can differ only in a replay where responses of the same
 * window arrive in a different order across Kafka partitions; their final row is identical because
 * it holds the same set of responses.
 */
public class SurveyWindowFunction
    extends ProcessWindowFunction<
        SurveyAccumulator, SurveyWindowRow, Tuple2<String, String>, TimeWindow> {

  private static final long serialVersionUID = 1L;

  @Override
  public void process(
      Tuple2<String, String> key,
      Context context,
      Iterable<SurveyAccumulator> aggregates,
      Collector<SurveyWindowRow> out) {
    TimeWindow window = context.window();
    for (SurveyAccumulator accumulator : aggregates) {
      out.collect(
          SurveyWindowRow.of(
              Instant.ofEpochMilli(window.getStart()),
              Instant.ofEpochMilli(window.getEnd()),
              key.f0,
              key.f1,
              accumulator.csat(),
              accumulator.nps(),
              accumulator.ces(),
              accumulator.responses()));
    }
  }
}
