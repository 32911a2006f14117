package io.cxpulse.jobs.pipeline;

import java.nio.file.Path;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;

/**
 * Where the jobs keep state and checkpoints when the runtime is theirs to configure (local mode,
 * the tests that prove it): the RocksDB state backend with incremental checkpoints to a local
 * directory.
 *
 * <p>Why: the de-duplication state remembers every event_id for a day, so it grows with traffic.
 * Flink's default keeps state on the heap and, without a checkpoint directory, checkpoints in the
 * JobManager's memory, limited to 5 MiB: a burst of half a million surveys (about 6 MB of event
 * ids) made every checkpoint fail and the job restart in a loop. RocksDB bounds state by disk, and
 * incremental checkpoints copy only the files that changed, so a checkpoint costs what changed
 * since the last one, not the whole day of ids. A Flink cluster is configured the same way in its
 * own configuration (docker-compose.yml's {@code FLINK_PROPERTIES}).
 */
public final class DurableState {

  /** The state backend: embedded RocksDB, state on local disk. */
  public static final String STATE_BACKEND = "rocksdb";

  private DurableState() {}

  /** Sets RocksDB state with incremental checkpoints into {@code checkpointDirectory}. */
  public static Configuration configure(Configuration conf, Path checkpointDirectory) {
    conf.set(StateBackendOptions.STATE_BACKEND, STATE_BACKEND);
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY,
        checkpointDirectory.toAbsolutePath().toUri().toString());
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    return conf;
  }
}
