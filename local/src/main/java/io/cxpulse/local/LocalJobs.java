package io.cxpulse.local;

import io.cxpulse.embedded.ListenHost;
import io.cxpulse.jobs.pipeline.DurableState;
import io.cxpulse.jobs.pipeline.JobLauncher;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metric jobs on a Flink MiniCluster in this JVM, with the Flink web UI. The graphs are the
 * production ones (each job's {@code defineWorkflow} with the production Kafka source and sinks),
 * submitted together as one Flink job so that they share the cluster's slots; their operator uids
 * are distinct. {@link #close()} stops the job with a savepoint into the data directory (falling
 * back to a cancel, which leaves the latest checkpoint retained), so that the next run resumes from
 * it ({@link SavedState}); the MiniCluster shuts itself down when the job has ended.
 */
final class LocalJobs implements AutoCloseable {

  /** The name of the one Flink job that runs every pipeline. */
  static final String JOB_NAME = "cx-pulse local";

  private static final Logger LOG = LoggerFactory.getLogger(LocalJobs.class);

  private static final long STATUS_TIMEOUT_SECONDS = 2;
  private static final long CANCEL_TIMEOUT_SECONDS = 30;
  private static final long SAVEPOINT_TIMEOUT_SECONDS = 90;
  private static final long CLUSTER_SHUTDOWN_TIMEOUT_MILLIS = 15_000;

  private final JobClient client;
  private final String host;
  private final int uiPort;
  private final SavedState savedState;
  private final Consumer<String> notice;

  private LocalJobs(
      JobClient client, String host, int uiPort, SavedState savedState, Consumer<String> notice) {
    this.client = client;
    this.host = host;
    this.uiPort = uiPort;
    this.savedState = savedState;
    this.notice = notice;
  }

  /**
   * Starts a MiniCluster with its web UI on {@code host:uiPort} and RocksDB state checkpointed into
   * {@code savedState}'s directories, lets {@code workflows} define the pipelines on its
   * environment, and submits them, resuming from {@code resumeFrom} when given. Returns once the
   * job was submitted (it may still be scheduling).
   *
   * @param notice prints a line for the person running local mode (the stop's savepoint)
   */
  static LocalJobs submit(
      Consumer<StreamExecutionEnvironment> workflows,
      String host,
      int uiPort,
      SavedState savedState,
      Optional<Path> resumeFrom,
      Consumer<String> notice)
      throws Exception {
    // State on disk, not in the JobManager's 5 MiB of memory: see DurableState.
    Configuration conf =
        JobLauncher.withoutGenericTypes(
            DurableState.configure(new Configuration(), savedState.checkpoints()));
    // A process that dies without its stop's savepoint (SIGKILL, a crash) resumes from the
    // latest checkpoint, so it must outlive the job.
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    conf.set(
        CheckpointingOptions.SAVEPOINT_DIRECTORY,
        savedState.savepoints().toAbsolutePath().toUri().toString());
    resumeFrom.ifPresent(
        path ->
            conf.set(
                StateRecoveryOptions.SAVEPOINT_PATH, path.toAbsolutePath().toUri().toString()));
    // Flink's other listeners are for this JVM alone and stay on loopback whatever --host says:
    // the blob server (jars and large task data) listens on jobmanager.bind-host, which Flink
    // defaults to every interface (measured: *:<port> beside the loopback-only ports).
    conf.set(JobManagerOptions.BIND_HOST, ListenHost.LOOPBACK);
    // Where the web UI listens, and where its clients connect (not 0.0.0.0: see ListenHost).
    conf.set(RestOptions.BIND_ADDRESS, host);
    conf.set(RestOptions.ADDRESS, ListenHost.clientHost(host));
    conf.set(RestOptions.PORT, uiPort);
    // The web UI is for looking, and any page in the user's browser can reach this port: no
    // uploaded jar may run in this JVM, the UI offers no cancel button, the REST API refuses every
    // method that changes something (cancel, stop, savepoint, rescale: see ReadOnlyRestApi; Ctrl-C
    // stops the pipelines in-process), and cross-origin requests are allowed from the UI's own
    // origin only.
    conf.set(WebOptions.SUBMIT_ENABLE, false);
    conf.set(WebOptions.CANCEL_ENABLE, false);
    conf.set(ReadOnlyRestApi.READ_ONLY, true);
    conf.set(WebOptions.ACCESS_CONTROL_ALLOW_ORIGIN, origin(host, uiPort));
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(conf);
    workflows.accept(env);
    return new LocalJobs(env.executeAsync(JOB_NAME), host, uiPort, savedState, notice);
  }

  /** The web UI's origin as a browser on this machine names it. */
  private static String origin(String host, int uiPort) {
    return "http://" + ListenHost.urlAuthority(host, uiPort);
  }

  String webUiUrl() {
    return origin(host, uiPort) + "/";
  }

  /** The job's status, e.g. RUNNING; {@code ?} if the cluster does not answer in time. */
  String status() {
    try {
      return client.getJobStatus().get(STATUS_TIMEOUT_SECONDS, TimeUnit.SECONDS).name();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    } catch (ExecutionException | TimeoutException e) {
      return "?";
    }
  }

  /** Waits up to {@code timeoutMillis} for the job to be RUNNING; returns the last status. */
  String awaitRunning(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    String status = status();
    while (!status.equals(JobStatus.RUNNING.name())
        && !isTerminal(status)
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      status = status();
    }
    return status;
  }

  /**
   * Stops the job with a savepoint (the windows still open keep their state for the next run), else
   * cancels it, then waits for it to end and for the MiniCluster to close its web UI.
   */
  @Override
  public void close() throws Exception {
    if (!isTerminal(status())) {
      if (!stopWithSavepoint()) {
        try {
          client.cancel().get(CANCEL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          // Already finished or failed: nothing to cancel.
          LOG.debug("Cancel of the local jobs did not go through", e);
        }
      }
    }
    try {
      client.getJobExecutionResult().get(CANCEL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException expected) {
      // A cancelled job's result is an exception.
    }
    awaitPortClosed();
    LOG.info("Local jobs cancelled, Flink MiniCluster stopped");
  }

  /** Whether the job stopped with a savepoint; on failure it is still to be cancelled. */
  private boolean stopWithSavepoint() throws InterruptedException {
    try {
      // Not advancing to the end of event time: the open windows stay open in the savepoint.
      String location =
          client
              .stopWithSavepoint(
                  false,
                  savedState.savepoints().toAbsolutePath().toUri().toString(),
                  SavepointFormatType.CANONICAL)
              .get(SAVEPOINT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      Path savepoint = Path.of(URI.create(location));
      savedState.keepOnly(savepoint);
      notice.accept(
          "Saved the jobs' state to "
              + savepoint
              + "; the next run on this data directory resumes from it.");
      return true;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn(
          "Could not stop the local jobs with a savepoint; cancelling them. The next run resumes"
              + " from the latest retained checkpoint.",
          e);
      return false;
    }
  }

  private void awaitPortClosed() throws InterruptedException {
    long deadline = System.currentTimeMillis() + CLUSTER_SHUTDOWN_TIMEOUT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(ListenHost.clientHost(host), uiPort), 200);
      } catch (IOException closed) {
        return;
      }
      Thread.sleep(100);
    }
    LOG.warn("The Flink MiniCluster is still shutting down");
  }

  private static boolean isTerminal(String status) {
    try {
      return JobStatus.valueOf(status).isGloballyTerminalState();
    } catch (IllegalArgumentException unknown) {
      return false;
    }
  }
}
