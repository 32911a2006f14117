package io.cxpulse.jobs.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Runs a {@link DedupAndLatenessFunction} and expires its remembered event_ids in bulk: every TTL /
 * {@value #SWEEPS_PER_TTL} of processing time one sweep walks all keys of this subtask once and
 * removes every id first seen a TTL ago or earlier.
 *
 * <p>Why an operator: a function sees one key at a time and can only expire state per key (a timer
 * or a TTL per event_id, bookkeeping on every record); the operator reaches the keyed state backend
 * and visits all keys at once. The sweep runs in the task's own thread between records (a
 * processing-time callback), so it never races the record path; its timer is not part of a
 * checkpoint, a restored operator schedules the next one in {@link #open}, and the first sightings
 * it restores carry their times, so they expire as before.
 *
 * <p>What a sweep costs: one read of every id of the subtask, in one go between two records. On the
 * heap that is a walk of a hash map; with RocksDB (production and local mode) it is a scan of the
 * operator's keys, so a day of ids (millions) holds the subtask up for seconds, four times a day.
 * Not measured at that size here; the benchmark's runs end long before a sweep.
 *
 * <p>It is also where the front decides whether the stages after it ever see an idle input (see
 * {@link EventFront.DownstreamIdleness}): the first operator after the keyed exchange, so every
 * stage after it is reached.
 *
 * <p>State compatibility: the state is {@link DedupAndLatenessFunction#FIRST_SEEN_STATE} (a {@code
 * long}), not the TTL state {@code seen-event-id} of earlier versions; a savepoint taken before
 * restores this operator without the ids it had seen, so redeliveries of events first seen before
 * the upgrade are counted again for one TTL.
 *
 * @param <T> the generated Avro record type
 */
public final class DedupAndLatenessOperator<T extends SpecificRecord>
    extends KeyedProcessOperator<String, DecodedEvent<T>, DecodedEvent<T>>
    implements BoundedOneInput {

  private static final long serialVersionUID = 1L;

  /**
   * Sweeps per TTL. More sweeps hold expired ids for less time (at most TTL / this beyond the TTL)
   * but visit every id more often (about this many times plus one in its life).
   */
  public static final int SWEEPS_PER_TTL = 4;

  private final DedupAndLatenessFunction<T> dedup;
  private final EventFront.DownstreamIdleness idleness;
  private final long sweepIntervalMillis;

  public DedupAndLatenessOperator(
      DedupAndLatenessFunction<T> dedup, EventFront.DownstreamIdleness idleness) {
    super(dedup);
    this.dedup = dedup;
    this.idleness = idleness;
    this.sweepIntervalMillis = Math.max(1, dedup.dedupTtl().toMillis() / SWEEPS_PER_TTL);
  }

  @Override
  public void open() throws Exception {
    super.open();
    scheduleSweep();
  }

  private void scheduleSweep() {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    // On interval boundaries, so that every subtask sweeps at the same times.
    long next = (Math.floorDiv(now, sweepIntervalMillis) + 1) * sweepIntervalMillis;
    getProcessingTimeService().registerTimer(next, time -> sweep());
  }

  /**
   * Passes an idle or active status on only when the stream {@link
   * EventFront.DownstreamIdleness#ANNOUNCED announces} idleness; the watermarks themselves, the one
   * Flink flushes when every input goes idle included, always go on.
   */
  @Override
  public void processWatermarkStatus(WatermarkStatus status) throws Exception {
    if (idleness == EventFront.DownstreamIdleness.ANNOUNCED) {
      super.processWatermarkStatus(status);
    }
  }

  /**
   * Every input has ended with a drain ({@code flink stop --drain}) or a bounded end: event time
   * goes to its end, so every window, deadline and pending checkout after the front is decided. The
   * sources should have sent that final watermark already, but Flink 2.2.1 drops it for a source
   * that is idle when the drain ends it (traffic paused longer than {@code --idleness};
   * FLINK-40499: an output announced idle drops watermarks), and the open windows were never
   * written ({@code SurveyDrainITCase}). So this operator sends it, active first for the same
   * reason (a status already announced is not sent again). Flink calls this only when the input
   * drains, never on a stop without drain, whose open windows belong to the savepoint.
   */
  @Override
  public void endInput() throws Exception {
    output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
    processWatermark(Watermark.MAX_WATERMARK);
  }

  /** Removes every event_id this subtask first saw a TTL ago or earlier. */
  void sweep() throws Exception {
    long now = getProcessingTimeService().getCurrentProcessingTime();
    ValueStateDescriptor<Long> descriptor = dedup.firstSeenState();
    List<String> forgotten = new ArrayList<>();
    // Collected first, removed after: the backends' key iteration must not see its map change.
    this.<String>getKeyedStateBackend()
        .applyToAllKeys(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            descriptor,
            (key, state) -> {
              Long firstSeen = state.value();
              if (firstSeen != null && dedup.isForgotten(firstSeen, now)) {
                forgotten.add(key);
              }
            });
    ValueState<Long> state =
        getKeyedStateBackend()
            .getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
    for (String key : forgotten) {
      setCurrentKey(key);
      state.clear();
    }
    scheduleSweep();
  }
}
