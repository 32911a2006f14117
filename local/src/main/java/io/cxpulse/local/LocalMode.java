package io.cxpulse.local;

import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.embedded.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The whole pipeline on one machine with no Docker: a real Kafka broker and the real ClickHouse
 * engine in this JVM, on fixed loopback ports so that producers, curl and BI tools can reach them.
 * Runs until Ctrl-C or SIGTERM, then stops everything in reverse order of start.
 */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = "Run CX Pulse locally on embedded Kafka and ClickHouse until Ctrl-C.")
public final class LocalMode implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(LocalMode.class);

  static final String DEFAULT_DATA_DIR = "data/local";

  @Option(
      names = "--data-dir",
      defaultValue = DEFAULT_DATA_DIR,
      description = "Where Kafka and ClickHouse keep their data (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--host",
      defaultValue = EmbeddedClickHouse.DEFAULT_HOST,
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--kafka-port",
      defaultValue = "" + EmbeddedKafka.KAFKA_DEFAULT_PORT,
      description = "Kafka listener port (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(
      names = "--clickhouse-port",
      defaultValue = "" + EmbeddedClickHouse.DEFAULT_PORT,
      description = "ClickHouse HTTP port (default: ${DEFAULT-VALUE}).")
  int clickHousePort;

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final CountDownLatch stopped = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    Thread shutdown = new Thread(this::stopAll, "cx-pulse-local-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);

    Path absoluteDataDir = dataDir.toAbsolutePath();
    EmbeddedKafka kafka =
        EmbeddedKafka.builder()
            .port(kafkaPort)
            .dataDir(absoluteDataDir.resolve("kafka"))
            .build()
            .start();
    started.push(kafka);
    EmbeddedClickHouse clickHouse =
        EmbeddedClickHouse.builder()
            .host(host)
            .port(clickHousePort)
            .dataDir(absoluteDataDir.resolve("clickhouse"))
            .closeOnShutdown(false)
            .start();
    started.push(clickHouse);

    printBanner(kafka, clickHouse);
    stopped.await();
    return 0;
  }

  private void printBanner(EmbeddedKafka kafka, EmbeddedClickHouse clickHouse) {
    String banner =
        String.join(
            System.lineSeparator(),
            "",
            "CX Pulse local mode is up. Press Ctrl-C to stop.",
            "  Kafka bootstrap   " + kafka.bootstrapServers(),
            "  ClickHouse HTTP   " + clickHouse.httpUrl(),
            "  ClickHouse JDBC   " + clickHouse.jdbcUrl(),
            "  Data directory    " + dataDir.toAbsolutePath(),
            "  Try               curl '" + clickHouse.httpUrl() + "?query=SELECT+version()'",
            "");
    System.out.println(banner);
    System.out.flush();
  }

  /** Stops what started, newest first: consumers before the stores they write to. */
  private void stopAll() {
    LOG.info("Stopping CX Pulse local mode");
    while (!started.isEmpty()) {
      AutoCloseable service = started.pop();
      try {
        service.close();
      } catch (Exception e) {
        LOG.warn("Failed to stop {}", service.getClass().getSimpleName(), e);
      }
    }
    stopped.countDown();
    LOG.info("CX Pulse local mode stopped");
  }
}
