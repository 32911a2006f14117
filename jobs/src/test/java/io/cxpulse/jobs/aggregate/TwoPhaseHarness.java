package io.cxpulse.jobs.aggregate;

import io.cxpulse.jobs.pipeline.HarnessMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * Both phases of a {@link WindowAggregation} in Flink operator test harnesses, wired as the job
 * wires them: every record the pre-aggregator emits goes to the merger with its timestamp, and a
 * watermark reaches the merger only after the pre-aggregator has emitted what it fired.
 *
 * <p>One pre-aggregation subtask: enough for the timing rules; the spread over subtasks is what the
 * skew integration test measures.
 */
public final class TwoPhaseHarness<IN, C extends WindowComponents<C>, ROW>
    implements AutoCloseable {

  private final KeyedOneInputStreamOperatorTestHarness<WindowKey, IN, Tuple2<WindowKey, C>>
      preAggregation;
  private final KeyedOneInputStreamOperatorTestHarness<WindowKey, Tuple2<WindowKey, C>, ROW> merge;
  private final OutputTag<IN> tooLate;
  private final List<Tuple2<WindowKey, C>> partials = new ArrayList<>();
  private final HarnessMetrics preAggregationMetrics = new HarnessMetrics();
  private final HarnessMetrics mergeMetrics = new HarnessMetrics();

  private TwoPhaseHarness(
      WindowAggregation<IN, C, ROW> aggregation,
      TypeInformation<IN> inputType,
      OperatorSubtaskState preAggregationState,
      OperatorSubtaskState mergeState)
      throws Exception {
    tooLate = aggregation.tooLateTag(inputType);
    preAggregation =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(aggregation.preAggregator(tooLate)),
            aggregation.saltedKeySelector(),
            WindowAggregation.KEY_TYPE,
            preAggregationMetrics.environment());
    merge =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(aggregation.merger()),
            partial -> partial.f0,
            WindowAggregation.KEY_TYPE,
            mergeMetrics.environment());
    if (preAggregationState != null) {
      preAggregation.initializeState(preAggregationState);
      merge.initializeState(mergeState);
    }
    preAggregation.open();
    merge.open();
  }

  /** Opened harnesses with empty state. */
  public static <IN, C extends WindowComponents<C>, ROW> TwoPhaseHarness<IN, C, ROW> open(
      WindowAggregation<IN, C, ROW> aggregation, TypeInformation<IN> inputType) throws Exception {
    return new TwoPhaseHarness<>(aggregation, inputType, null, null);
  }

  /** Opened harnesses restored from {@link #snapshot()}. */
  public static <IN, C extends WindowComponents<C>, ROW> TwoPhaseHarness<IN, C, ROW> restore(
      WindowAggregation<IN, C, ROW> aggregation,
      TypeInformation<IN> inputType,
      OperatorSubtaskState[] snapshot)
      throws Exception {
    return new TwoPhaseHarness<>(aggregation, inputType, snapshot[0], snapshot[1]);
  }

  public void processElement(IN record, long timestamp) throws Exception {
    preAggregation.processElement(record, timestamp);
    forwardPartials();
  }

  public void processWatermark(long watermark) throws Exception {
    preAggregation.processWatermark(watermark);
    forwardPartials();
    merge.processWatermark(watermark);
  }

  /** Sets both operators' processing time, as their subtasks' clocks would move. */
  public void setProcessingTime(long time) throws Exception {
    preAggregation.setProcessingTime(time);
    forwardPartials();
    merge.setProcessingTime(time);
  }

  /** Snapshots of both operators' state, for {@link #restore}. */
  public OperatorSubtaskState[] snapshot() throws Exception {
    return new OperatorSubtaskState[] {preAggregation.snapshot(0, 0), merge.snapshot(0, 0)};
  }

  /** Every row the merger emitted, in order. */
  public List<ROW> rows() {
    return merge.extractOutputValues();
  }

  /** Every partial the pre-aggregator flushed, in order. */
  public List<Tuple2<WindowKey, C>> partials() {
    return List.copyOf(partials);
  }

  /** The records sent to the too-late side output. */
  public List<IN> tooLate() {
    var late = preAggregation.getSideOutput(tooLate);
    return late == null ? List.of() : late.stream().map(StreamRecord::getValue).toList();
  }

  /** Keyed state entries left in both operators. */
  public int keyedStateEntries() {
    return preAggregation.numKeyedStateEntries() + merge.numKeyedStateEntries();
  }

  /** A counter of the pre-aggregator, by name. */
  public long preAggregationCounter(String name) {
    return preAggregationMetrics.count(name);
  }

  /** A counter of the merger, by name. */
  public long mergeCounter(String name) {
    return mergeMetrics.count(name);
  }

  @SuppressWarnings("unchecked")
  private void forwardPartials() throws Exception {
    List<Object> emitted = new ArrayList<>(preAggregation.getOutput());
    preAggregation.getOutput().clear();
    for (Object element : emitted) {
      if (element instanceof StreamRecord<?> record) {
        StreamRecord<Tuple2<WindowKey, C>> partial = (StreamRecord<Tuple2<WindowKey, C>>) record;
        partials.add(partial.getValue());
        merge.processElement(partial);
      }
    }
  }

  @Override
  public void close() throws Exception {
    preAggregation.close();
    merge.close();
  }
}
