package io.cxpulse.jobs.pipeline;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Turns the watermark into {@link JobProgress.Row}s: one each time another window becomes complete
 * or final, none for the end-of-input watermark (it says nothing about event time). Elements are
 * ignored; the watermark is forwarded.
 *
 * <p>An operator rather than a function: only an operator sees watermarks that arrive without an
 * element, which is exactly when a quiet stream's windows complete.
 *
 * @param <T> the type of the rows whose watermark it follows
 */
final class ProgressOperator<T> extends AbstractStreamOperator<JobProgress.Row>
    implements OneInputStreamOperator<T, JobProgress.Row> {

  private static final long serialVersionUID = 1L;

  private final JobProgress.Spec spec;
  private transient long lastComplete;
  private transient long lastFinal;

  ProgressOperator(JobProgress.Spec spec) {
    this.spec = spec;
  }

  @Override
  public void open() throws Exception {
    super.open();
    lastComplete = Long.MIN_VALUE;
    lastFinal = Long.MIN_VALUE;
  }

  @Override
  public void processElement(StreamRecord<T> element) {}

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    long watermark = mark.getTimestamp();
    if (watermark != Long.MAX_VALUE && watermark > Long.MIN_VALUE / 2) {
      long complete = spec.completeBefore(watermark);
      long fin = spec.finalBefore(watermark);
      if (complete > lastComplete || fin > lastFinal) {
        lastComplete = complete;
        lastFinal = fin;
        output.collect(
            new StreamRecord<>(
                spec.row(watermark, getProcessingTimeService().getCurrentProcessingTime())));
      }
    }
    super.processWatermark(mark);
  }
}
