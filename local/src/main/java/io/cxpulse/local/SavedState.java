package io.cxpulse.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The jobs' state that local mode keeps in its data directory between runs: the savepoint a clean
 * stop (Ctrl-C, SIGTERM) takes, and the checkpoints Flink retains when the process dies without one
 * (SIGKILL, a crash). The next run resumes from the newest of them, so the windows open at the stop
 * keep what they had counted, and the Kafka sources go on from where they were.
 *
 * <p>Both are Flink's own formats, found by their {@code _metadata} file: a savepoint directory
 * under {@link #savepoints()}, a retained checkpoint under {@code <checkpoints>/<job id>/chk-<n>}.
 */
final class SavedState {

  /** The file Flink writes last into a complete savepoint or checkpoint. */
  static final String METADATA = "_metadata";

  private final Path checkpoints;
  private final Path savepoints;

  SavedState(Path dataDir) {
    this.checkpoints = dataDir.resolve("checkpoints");
    this.savepoints = dataDir.resolve("savepoints");
  }

  /** Where Flink writes checkpoints (one directory per job run). */
  Path checkpoints() {
    return checkpoints;
  }

  /** Where a clean stop writes its savepoint. */
  Path savepoints() {
    return savepoints;
  }

  /** The newest complete savepoint or retained checkpoint, if any: the state to resume from. */
  Optional<Path> newest() {
    return candidates().stream().max(Comparator.comparing(SavedState::written));
  }

  /**
   * After a clean stop saved {@code kept}: deletes every other savepoint and every retained
   * checkpoint, which the self-contained savepoint replaces, so the data directory does not grow
   * with each run.
   */
  void keepOnly(Path kept) {
    Path keptReal = kept.toAbsolutePath().normalize();
    for (Path candidate : candidates()) {
      if (!candidate.toAbsolutePath().normalize().equals(keptReal)) {
        deleteTree(candidate);
      }
    }
    // The job directories the checkpoints were in, with their shared incremental files.
    for (Path jobDirectory : children(checkpoints)) {
      deleteTree(jobDirectory);
    }
  }

  private List<Path> candidates() {
    List<Path> found = new ArrayList<>();
    for (Path savepoint : children(savepoints)) {
      if (Files.isRegularFile(savepoint.resolve(METADATA))) {
        found.add(savepoint);
      }
    }
    for (Path jobDirectory : children(checkpoints)) {
      for (Path checkpoint : children(jobDirectory)) {
        if (checkpoint.getFileName().toString().startsWith("chk-")
            && Files.isRegularFile(checkpoint.resolve(METADATA))) {
          found.add(checkpoint);
        }
      }
    }
    return found;
  }

  private static FileTime written(Path stateDirectory) {
    try {
      return Files.getLastModifiedTime(stateDirectory.resolve(METADATA));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> children(Path directory) {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> children = Files.list(directory)) {
      return children.filter(Files::isDirectory).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
