package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Where local mode listens, as the kernel reports it for this very process, with local mode started
 * here as {@code ./cx-pulse run} starts it: with the default host every port it opens (Kafka's
 * broker and controller, ClickHouse, Flink's RPC, blob server, data exchange and REST API, anything
 * else) accepts on loopback only.
 */
class LocalModeAddressesITCase {

  @Test
  void withTheDefaultHostEveryPortLocalModeOpensIsOnLoopback(@TempDir Path dataDir)
      throws Exception {
    try (Run run = Run.start(dataDir)) {
      ListeningSockets opened = run.opened();

      // Not vacuous: the ports local mode was told to use are among them.
      assertThat(opened.ports()).contains(run.clickHousePort, run.kafkaPort, run.flinkPort);
      assertThat(opened.listeners())
          .as("sockets local mode listens on beyond loopback, of %s", opened.listeners())
          .filteredOn(listener -> !listener.onLoopback())
          .isEmpty();
    }
  }

  /** Local mode started in this JVM; stopped on close. */
  private static final class Run implements AutoCloseable {
    final int clickHousePort;
    final int kafkaPort;
    final int flinkPort;
    private final LocalMode localMode = new LocalMode();
    private final ListeningSockets before;

    private Run(Path dataDir, String... extraArgs) throws Exception {
      clickHousePort = freePort();
      kafkaPort = freePort();
      flinkPort = freePort();
      before = ListeningSockets.ofThisProcess();
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--data-dir=" + dataDir,
                  "--kafka-port=" + kafkaPort,
                  "--clickhouse-port=" + clickHousePort,
                  "--flink-ui-port=" + flinkPort,
                  // The generator and the summary only connect; without them it starts sooner.
                  "--no-generator",
                  "--summary-interval=0"));
      args.addAll(List.of(extraArgs));
      new CommandLine(localMode).parseArgs(args.toArray(String[]::new));
    }

    static Run start(Path dataDir, String... extraArgs) throws Exception {
      Run run = new Run(dataDir, extraArgs);
      try {
        run.localMode.readArguments();
        run.localMode.startAll();
        return run;
      } catch (Exception e) {
        run.close();
        throw e;
      }
    }

    /** The sockets opened since just before local mode started, all of them local mode's. */
    ListeningSockets opened() throws IOException {
      return ListeningSockets.ofThisProcess().openedSince(before);
    }

    @Override
    public void close() {
      localMode.stopAll();
    }

    private static int freePort() throws Exception {
      try (ServerSocket socket = new ServerSocket(0)) {
        return socket.getLocalPort();
      }
    }
  }
}
