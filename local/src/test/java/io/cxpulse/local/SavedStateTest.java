package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SavedStateTest {

  @TempDir Path dataDir;

  @Test
  void aNewDataDirectoryHasNothingToResumeFrom() {
    assertThat(new SavedState(dataDir).newest()).isEmpty();
  }

  @Test
  void theNewestCompleteSavepointOrRetainedCheckpointIsTheOneToResumeFrom() throws Exception {
    SavedState state = new SavedState(dataDir);
    Path savepoint = complete(state.savepoints().resolve("savepoint-1a2b-3c"), 100);
    Path checkpoint = complete(state.checkpoints().resolve("job-a/chk-7"), 200);
    // Unfinished ones (no _metadata yet) and Flink's other directories never count.
    Files.createDirectories(state.checkpoints().resolve("job-a/chk-8"));
    Files.createDirectories(state.checkpoints().resolve("job-a/shared"));
    assertThat(state.newest()).contains(checkpoint);

    complete(savepoint, 300);
    assertThat(state.newest()).as("the stop's savepoint, written last").contains(savepoint);
  }

  @Test
  void aCleanStopKeepsOnlyItsSavepoint() throws Exception {
    SavedState state = new SavedState(dataDir);
    Path older = complete(state.savepoints().resolve("savepoint-old"), 100);
    complete(state.checkpoints().resolve("job-a/chk-3"), 200);
    Files.createDirectories(state.checkpoints().resolve("job-a/shared/x"));
    Path kept = complete(state.savepoints().resolve("savepoint-new"), 300);

    state.keepOnly(kept);

    assertThat(kept).isDirectory();
    assertThat(older).doesNotExist();
    assertThat(state.checkpoints().resolve("job-a")).doesNotExist();
    assertThat(state.newest()).contains(kept);
  }

  private static Path complete(Path stateDirectory, long writtenAtSecond) throws Exception {
    Files.createDirectories(stateDirectory);
    Path metadata = stateDirectory.resolve(SavedState.METADATA);
    Files.writeString(metadata, "metadata");
    Files.setLastModifiedTime(metadata, FileTime.from(Instant.ofEpochSecond(writtenAtSecond)));
    return stateDirectory;
  }
}
