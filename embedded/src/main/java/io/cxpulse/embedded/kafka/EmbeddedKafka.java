package io.cxpulse.embedded.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Apache Kafka broker running inside the current JVM.
 *
 * <p>The machines this project is built and demonstrated on have no Docker, so Testcontainers and a
 * {@code docker compose} Kafka are not an option. Instead of a fake or a mock, this class runs the
 * production broker code: one KRaft node with the combined {@code broker,controller} roles, its
 * storage formatted exactly as {@code kafka-storage.sh format} does ({@link StorageTool}) and then
 * started as {@link KafkaRaftServer}, the class {@code kafka-server-start.sh} runs. Producers,
 * consumers, transactions and consumer groups therefore behave as on a real cluster of one.
 *
 * <p>Kafka's own test kit ({@code KafkaClusterTestKit}) is not used: it pre-binds its listener
 * sockets to random ports on all interfaces, so it can neither honour a fixed client port (needed
 * for the local mode's {@code 127.0.0.1:9092}) nor keep its listeners on the loopback interface; it
 * refuses to format an already formatted directory and gives its node fresh storage identities on
 * every build, so a data directory cannot be reopened; and it enables unreleased features.
 *
 * <p>All listeners are bound to {@code 127.0.0.1}. The broker is configured for a cluster of one:
 * every internal topic (consumer offsets, transaction state) has replication factor 1 and a single
 * partition, {@code min.insync.replicas} is 1, and the first consumer-group rebalance is not
 * delayed. Transactions work, as an exactly-once Flink Kafka sink needs, and may stay open for up
 * to an hour.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.builder().port(0).build().start()) {
 *   kafka.createTopics(3, "events");
 *   String bootstrap = kafka.bootstrapServers(); // "127.0.0.1:<port>"
 * }
 * }</pre>
 *
 * <p>With no {@linkplain Builder#dataDir(Path) data directory} the broker keeps its logs in a
 * temporary directory that {@link #close()} deletes. A given data directory belongs to the broker
 * alone (formatted on first use, reused afterwards) and survives restarts. A fatal broker fault
 * (for example the data directory disappearing while the broker runs) halts the JVM, as it would a
 * stand-alone broker.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /**
   * Port value asking for any free port on the loopback interface. The port is found by binding and
   * releasing it just before the broker starts (as is the controller's port, always).
   */
  public static final int ANY_FREE_PORT = 0;

  /** Kafka's conventional client port, the one the local mode listens on. */
  public static final int KAFKA_DEFAULT_PORT = 9092;

  /** Partitions of the internal topics (consumer offsets, transaction state). */
  private static final int INTERNAL_TOPIC_PARTITIONS = 1;

  private static final String HOST = "127.0.0.1";
  private static final int NODE_ID = 1;
  private static final String CLIENT_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final long ADMIN_TIMEOUT_SECONDS = 60;

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  private final int requestedPort;
  private final Path requestedDataDir;
  private final Map<String, String> configOverrides;

  private KafkaRaftServer server;
  private Path dataDir;
  private boolean deleteDataDirOnClose;
  private int port;
  private boolean started;
  private boolean closed;

  private EmbeddedKafka(Builder builder) {
    this.requestedPort = builder.port;
    this.requestedDataDir = builder.dataDir;
    this.configOverrides = Map.copyOf(builder.configOverrides);
  }

  /** Returns a builder for a broker on any free port with a temporary data directory. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Formats the data directory if it is new and starts the broker. Returns once the broker has
   * registered with its controller and is ready to serve clients.
   *
   * @return this broker, for chaining
   * @throws IllegalStateException if this instance was already started (instances are single-use)
   * @throws RuntimeException if the broker cannot start, for example because the port is taken
   */
  public synchronized EmbeddedKafka start() {
    if (started) {
      throw new IllegalStateException("An EmbeddedKafka instance can be started only once");
    }
    started = true;
    long startNanos = System.nanoTime();
    try {
      if (requestedDataDir == null) {
        dataDir = Files.createTempDirectory("cx-pulse-kafka-");
        deleteDataDirOnClose = true;
      } else {
        dataDir = Files.createDirectories(requestedDataDir).toAbsolutePath();
      }
      port = requestedPort == ANY_FREE_PORT ? freeLoopbackPort() : requestedPort;
      // The controller listener must be known before startup: the node's static quorum names it.
      Map<String, String> config = brokerConfig(port, freeLoopbackPort(), dataDir);
      if (Files.notExists(dataDir.resolve("meta.properties"))) {
        format(config);
      }
      server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
      server.startup();
    } catch (IOException e) {
      stopQuietly();
      throw new UncheckedIOException("Could not prepare the Kafka data directory", e);
    } catch (RuntimeException e) {
      stopQuietly();
      throw e;
    }
    LOG.info(
        "Kafka broker listening on {} (data in {}), started in {} ms",
        bootstrapServers(),
        dataDir,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    return this;
  }

  /** The client bootstrap address, {@code 127.0.0.1:PORT}. */
  public String bootstrapServers() {
    return HOST + ":" + port();
  }

  /** The client listener's port; the chosen free port if {@link #ANY_FREE_PORT} was requested. */
  public synchronized int port() {
    requireRunning();
    return port;
  }

  /** The directory holding the broker's metadata and topic logs. */
  public synchronized Path dataDir() {
    requireRunning();
    return dataDir;
  }

  /**
   * Creates the named topics with replication factor 1, leaving any that already exist untouched
   * (whatever their partition count).
   *
   * @param partitions partitions of each new topic
   * @param names topic names
   */
  public void createTopics(int partitions, String... names) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }
    List<NewTopic> topics =
        Arrays.stream(names).map(name -> new NewTopic(name, partitions, (short) 1)).toList();
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      for (Map.Entry<String, KafkaFuture<Void>> result :
          admin.createTopics(topics).values().entrySet()) {
        try {
          result.getValue().get(ADMIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
          LOG.info("Created topic {} with {} partitions", result.getKey(), partitions);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "Could not create topic " + result.getKey(), e.getCause());
          }
          LOG.debug("Topic {} already exists", result.getKey());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Timed out creating topics " + Arrays.toString(names), e);
    }
  }

  /**
   * Every record of {@code topic} from the beginning up to its end offsets as of this call, in
   * partition order: what tests read back after a job wrote a topic.
   *
   * @throws IllegalStateException if the records cannot be read within {@code timeout}
   */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration timeout) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "could not read " + topic + " to its end offsets " + end + " within " + timeout);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** Stops the broker and, if it was temporary, deletes its data. Safe to call more than once. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!started) {
      return;
    }
    String bootstrap = HOST + ":" + port;
    stopQuietly();
    LOG.info("Kafka broker on {} stopped", bootstrap);
  }

  private void stopQuietly() {
    if (server != null) {
      try {
        server.shutdown();
        server.awaitShutdown();
      } catch (RuntimeException e) {
        LOG.warn("Kafka broker did not shut down cleanly", e);
      }
      server = null;
    }
    if (deleteDataDirOnClose && dataDir != null) {
      try {
        Utils.delete(dataDir.toFile());
      } catch (IOException e) {
        LOG.warn("Could not delete Kafka data directory {}", dataDir, e);
      }
    }
  }

  private void requireRunning() {
    if (!started || closed || server == null) {
      throw new IllegalStateException("Kafka broker is not running");
    }
  }

  private Map<String, String> brokerConfig(int clientPort, int controllerPort, Path logDir) {
    String partitions = Integer.toString(INTERNAL_TOPIC_PARTITIONS);
    Map<String, String> config = new LinkedHashMap<>();
    config.put("process.roles", "broker,controller");
    config.put("node.id", Integer.toString(NODE_ID));
    config.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    config.put(
        "listeners",
        CLIENT_LISTENER
            + "://"
            + HOST
            + ":"
            + clientPort
            + ","
            + CONTROLLER_LISTENER
            + "://"
            + HOST
            + ":"
            + controllerPort);
    config.put("advertised.listeners", CLIENT_LISTENER + "://" + HOST + ":" + clientPort);
    config.put(
        "listener.security.protocol.map",
        CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    config.put("controller.listener.names", CONTROLLER_LISTENER);
    config.put("inter.broker.listener.name", CLIENT_LISTENER);
    config.put("log.dirs", logDir.toString());
    // A cluster of one: nothing can be replicated, so nothing may require replicas.
    config.put("default.replication.factor", "1");
    config.put("min.insync.replicas", "1");
    config.put("offsets.topic.replication.factor", "1");
    config.put("offsets.topic.num.partitions", partitions);
    config.put("transaction.state.log.replication.factor", "1");
    config.put("transaction.state.log.min.isr", "1");
    config.put("transaction.state.log.num.partitions", partitions);
    config.put("share.coordinator.state.topic.replication.factor", "1");
    config.put("share.coordinator.state.topic.min.isr", "1");
    config.put("group.initial.rebalance.delay.ms", "0");
    // The broker is its own controller, in this JVM. On a machine whose every core is busy (CI
    // with several builds) a 9 s default session let the controller fence it between heartbeats;
    // seen as a fresh partition's log cut back under an idempotent producer mid-send
    // (OutOfOrderSequenceException until the delivery timeout). One process cannot lose its peer.
    config.put("broker.session.timeout.ms", "60000");
    // After a kill -9 the controller still holds the dead broker's registration from its log, and
    // refuses the restarted one (DUPLICATE_BROKER_REGISTRATION) until that session times out. The
    // default 60 s initial registration timeout equals the session above, so the new broker gave
    // up just as the old session expired (two restarts in three after SIGKILL); it waits longer.
    config.put("initial.broker.registration.timeout.ms", "120000");
    // Flink's exactly-once sink may hold a transaction open for up to an hour.
    config.put("transaction.max.timeout.ms", Long.toString(TimeUnit.HOURS.toMillis(1)));
    // The default 128 MiB compaction buffer is allocated up front; the internal topics are tiny.
    config.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
    config.putAll(configOverrides);
    return config;
  }

  /**
   * Formats a new data directory like {@code kafka-storage.sh format}: writes its {@code
   * meta.properties} (fresh cluster id) and the bootstrap metadata. A formatted directory must not
   * be formatted again, not even with {@code --ignore-formatted}, which would reject its cluster
   * id.
   */
  private static void format(Map<String, String> config) throws IOException {
    Path configFile = Files.createTempFile("cx-pulse-kafka-", ".properties");
    try {
      Properties properties = new Properties();
      properties.putAll(config);
      try (OutputStream out = Files.newOutputStream(configFile)) {
        properties.store(out, "EmbeddedKafka storage format");
      }
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      int exitCode;
      try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
        exitCode =
            StorageTool.execute(
                new String[] {
                  "format",
                  "--config",
                  configFile.toString(),
                  "--cluster-id",
                  Uuid.randomUuid().toString()
                },
                printStream);
      }
      String report = output.toString(StandardCharsets.UTF_8).strip();
      if (exitCode != 0) {
        throw new IllegalStateException(
            "Formatting Kafka storage failed (exit code " + exitCode + "): " + report);
      }
      LOG.debug("Kafka storage: {}", report);
    } finally {
      Files.deleteIfExists(configFile);
    }
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }

  /** Builder of {@link EmbeddedKafka}; every setting has a default. */
  public static final class Builder {
    private int port = ANY_FREE_PORT;
    private Path dataDir;
    private final Map<String, String> configOverrides = new LinkedHashMap<>();

    private Builder() {}

    /**
     * The client port on {@code 127.0.0.1}; {@link #ANY_FREE_PORT} (the default) picks a free one.
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("Not a port: " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The directory for the broker's metadata and logs, created and formatted if needed and kept on
     * close; {@code null} (the default) means a temporary directory deleted on close.
     */
    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    /** Overrides or adds one broker configuration property, e.g. {@code num.partitions}. */
    public Builder brokerConfig(String key, String value) {
      configOverrides.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    /** Returns an unstarted broker; call {@link EmbeddedKafka#start()}. */
    public EmbeddedKafka build() {
      return new EmbeddedKafka(this);
    }
  }
}
