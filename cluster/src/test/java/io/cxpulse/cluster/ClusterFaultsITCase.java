package io.cxpulse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.generator.SurveyTrafficGenerator;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The production path on real processes: the shaded job jar submitted with Flink's command line,
 * with docker-compose.yml's arguments, to a standalone session cluster (a JobManager and a
 * TaskManager JVM, RocksDB with incremental checkpoints, docker-compose's Flink settings), Kafka
 * and ClickHouse in processes of their own; then real faults, one after the other, on one stream of
 * generated surveys whose every record's fate is known ({@link SurveyScenario}). After each step
 * every completed window row of {@code cx_survey_window} equals what the records produced so far
 * must give, and the dead letters per reason equal the records dead-lettered so far: nothing lost,
 * nothing counted twice. The four jobs of docker-compose run side by side on the cluster.
 *
 * <p>The steps share the cluster and the stream (a cluster start costs a minute), so they run in
 * order and each builds on the one before.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultsITCase {

  private static final long SEED = 20_261_207L;

  /** Surveys per second of event time; a step's part of the stream spans several minutes. */
  private static final double EVENTS_PER_SECOND = 4.0;

  private static final int EVENTS = 12_000;

  /** Steps, each producing its own slice of the stream. */
  private static final int STEPS = 5;

  private static final Duration SETTLE = Duration.ofMinutes(3);

  private static final String CLICKHOUSE_USER = "cxpulse";

  private static final List<String> CLIENTS =
      List.of("client", "client-checkout", "client-tickets", "client-drivers");

  private static Path dir;
  private static ComposeFile compose;
  private static String password;
  private static int kafkaPort;
  private static int clickHousePort;
  private static ChildProcess kafka;
  private static ChildProcess clickHouse;
  private static FlinkCluster flink;
  private static final Map<String, String> jobIds = new LinkedHashMap<>();

  private static SurveyScenario surveys;
  private static List<ScenarioRecord> records;

  /** Records of {@link #records} produced so far. */
  private static int produced;

  @BeforeAll
  static void startEverything() throws Exception {
    dir =
        Files.createDirectories(
            Path.of(System.getProperty("cxpulse.processDir"))
                .resolve(
                    Instant.now().truncatedTo(ChronoUnit.SECONDS).toString().replace(':', '-')));
    compose = ComposeFile.read();
    password = UUID.randomUUID().toString();
    kafkaPort = FlinkCluster.freePort();
    clickHousePort = FlinkCluster.freePort();
    try {
      startClickHouse();
      startKafka();
      createTopics();
      migrate();
      Map<String, String> settings = new LinkedHashMap<>(compose.flinkProperties());
      assertThat(settings)
          .as("docker-compose's Flink settings")
          .containsEntry("state.backend.type", "rocksdb")
          .containsEntry("execution.checkpointing.incremental", "true");
      settings.put(
          "execution.checkpointing.dir",
          Files.createDirectories(dir.resolve("checkpoints")).toUri().toString());
      settings.put("jobmanager.memory.process.size", "768m");
      settings.put("taskmanager.memory.process.size", "1536m");
      flink =
          FlinkCluster.start(
              dir.resolve("flink"),
              settings,
              ComposeFile.words(settings.get("env.java.opts.all")),
              1);
      surveys = scenario();
      records = surveys.records();
      for (String client : CLIENTS) {
        jobIds.put(client, submit(client, List.of()));
      }
      awaitRunning();
    } catch (Exception | Error e) {
      stopEverything();
      throw e;
    }
  }

  @AfterAll
  static void stopEverything() {
    if (flink != null) {
      flink.close();
    }
    if (kafka != null) {
      kafka.kill();
    }
    if (clickHouse != null) {
      clickHouse.kill();
    }
  }

  @Test
  @Order(1)
  void happyPath() throws Exception {
    produceUpTo(step(1));
    assertSurveysMatchTheStream("happy path");
  }

  @Test
  @Order(2)
  void taskManagerCrash() throws Exception {
    produceUpTo((step(1) + step(2)) / 2);
    // Mid-stream: the TaskManager dies with rows counted since the last checkpoint.
    Thread.sleep(3_000);
    long rowsBefore = surveyRowVersions();
    ChildProcess taskManager = flink.taskManagers().get(flink.taskManagers().size() - 1);
    Instant fault = Instant.now();
    taskManager.kill();
    flink.taskManagers().remove(taskManager);
    produceUpTo(step(2));
    flink.startTaskManager();
    Duration recovery = awaitNewRows(rowsBefore, fault);
    assertSurveysMatchTheStream("after the TaskManager crash");
    assertRestoredAfter(fault);
    report("TaskManager SIGKILL", recovery);
  }

  // ---------------------------------------------------------------------------------------------

  /** The records index that ends step {@code n} (1-based). */
  private static int step(int n) {
    return n == STEPS ? records.size() : records.size() * n / STEPS;
  }

  private static SurveyScenario scenario() {
    Instant now = Instant.now();
    Duration span = Duration.ofSeconds((long) (EVENTS / EVENTS_PER_SECOND));
    Instant start = now.minus(span).minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.MINUTES);
    // No TOO_LATE records: their fate needs the watermark of the whole stream before them, which a
    // job restored from a checkpoint rebuilds only from the records it reads again.
    return SurveyScenario.builder(
            SurveyTrafficGenerator.create(SEED, start, EVENTS_PER_SECOND).take(EVENTS), now)
        .seed(SEED)
        .windowSize(EventTimeOptions.DEFAULT_WINDOW)
        .outOfOrderness(EventTimeOptions.DEFAULT_OUT_OF_ORDERNESS)
        .allowedLateness(EventTimeOptions.DEFAULT_ALLOWED_LATENESS)
        .tooLateCount(0)
        .build();
  }

  private static void startClickHouse() throws Exception {
    List<String> command = new ArrayList<>(testJvm());
    command.add("-D" + "cxpulse.chdb.library=" + System.getProperty("cxpulse.chdb.library"));
    command.addAll(
        List.of(
            ClickHouseServerMain.class.getName(),
            dir.resolve("clickhouse-data").toString(),
            Integer.toString(clickHousePort),
            CLICKHOUSE_USER,
            password));
    // As the launcher runs the engine: libjsig chains the JVM's signal handlers with the engine's.
    clickHouse =
        ChildProcess.start(
            "clickhouse",
            command,
            Map.of(
                "LD_PRELOAD",
                Path.of(System.getProperty("java.home"), "lib", "libjsig.so").toString()),
            dir);
    clickHouse.awaitLine(
        line -> line.startsWith(ClickHouseServerMain.READY), Duration.ofMinutes(2));
  }

  private static void startKafka() throws Exception {
    List<String> command = new ArrayList<>(testJvm());
    command.addAll(
        List.of(
            KafkaBrokerMain.class.getName(),
            dir.resolve("kafka-data").toString(),
            Integer.toString(kafkaPort)));
    kafka = ChildProcess.start("kafka", command, Map.of(), dir);
    kafka.awaitLine(line -> line.startsWith(KafkaBrokerMain.READY), Duration.ofMinutes(2));
  }

  private static List<String> testJvm() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Duser.timezone=UTC",
        "-Xmx512m",
        "-cp",
        System.getProperty("java.class.path"));
  }

  /** The topics docker-compose's kafka-init creates, one partition each (see scenario()). */
  private static void createTopics() throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      List<NewTopic> topics = new ArrayList<>();
      for (String topic :
          List.of("cx.surveys", "cx.checkout", "cx.tickets", "cx.dead-letters", "cx.alerts")) {
        topics.add(new NewTopic(topic, 1, (short) 1));
      }
      admin.createTopics(topics).all().get();
    }
  }

  /** docker-compose's migrate service: MigrateCommand from the job jar. */
  private static void migrate() throws Exception {
    List<String> words = compose.commandLine("migrate", addresses());
    assertThat(words.get(0)).isEqualTo("java");
    List<String> command = new ArrayList<>(words);
    command.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
    ChildProcess migrate =
        ChildProcess.start("migrate", command, Map.of("CLICKHOUSE_PASSWORD", password), dir);
    assertThat(migrate.awaitExit(Duration.ofMinutes(2))).as(migrate.tail(40)).isZero();
  }

  /**
   * Submits docker-compose's client service {@code client} with {@code flink run}, its arguments as
   * the compose file gives them, plus {@code extra} options of {@code run}; returns the job id.
   */
  private static String submit(String client, List<String> extra) throws Exception {
    List<String> words = compose.commandLine(client, addresses());
    assertThat(words.subList(0, 3))
        .as("%s's entrypoint", client)
        .containsExactly("flink", "run", "-d");
    List<String> args = new ArrayList<>(words.subList(1, words.size()));
    args.addAll(2, extra);
    return FlinkCluster.jobIdOf(
        flink.flink(
            args,
            Map.of(
                "CLICKHOUSE_PASSWORD",
                password,
                "CX_PULSE_ALERT_WEBHOOK_URL",
                compose.environmentDefault(client, "CX_PULSE_ALERT_WEBHOOK_URL"))));
  }

  /** docker-compose's addresses → this machine's. */
  private static Map<String, String> addresses() {
    Map<String, String> addresses = new LinkedHashMap<>();
    addresses.put("kafka:29092", bootstrap());
    addresses.put("clickhouse:8123", "127.0.0.1:" + clickHousePort);
    addresses.put("jobmanager:8081", flink == null ? "jobmanager:8081" : flink.restAddress());
    addresses.put(
        "/opt/cx-pulse/cx-pulse-jobs-job.jar",
        Path.of(System.getProperty("cxpulse.jobJar")).toString());
    addresses.put(
        "/opt/cx-pulse/sql",
        Path.of(System.getProperty("cxpulse.composeFile")).resolveSibling("sql").toString());
    return addresses;
  }

  private static String bootstrap() {
    return "127.0.0.1:" + kafkaPort;
  }

  private static void awaitRunning() throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    for (String jobId : jobIds.values()) {
      while (!allTasksRunning(jobId)) {
        assertThat(System.nanoTime())
            .as("job %s running:\n%s", jobId, flink.tails())
            .isLessThan(deadline);
        Thread.sleep(500);
      }
    }
  }

  private static boolean allTasksRunning(String jobId) throws Exception {
    JsonNode job = flink.rest("/jobs/" + jobId);
    if (job == null || !"RUNNING".equals(job.path("state").asText())) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (!"RUNNING".equals(vertex.path("status").asText())) {
        return false;
      }
    }
    return true;
  }

  /** Produces the records up to index {@code end} (exclusive) to partition 0, in order. */
  private static void produceUpTo(int end) throws Exception {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ScenarioRecord record : records.subList(produced, end)) {
        sent.add(
            producer.send(
                new ProducerRecord<>(
                    SurveyJobOptions.DEFAULT_TOPIC,
                    0,
                    record.timestamp().toEpochMilli(),
                    record.key().getBytes(StandardCharsets.UTF_8),
                    record.value())));
      }
      producer.flush();
    }
    for (Future<RecordMetadata> metadata : sent) {
      metadata.get();
    }
    produced = end;
  }

  /**
   * Waits until every window of {@code cx_survey_window} that the stream so far has completed
   * (window end at or before its watermark) holds exactly the counted surveys of the records
   * produced so far, and the dead letters per reason are those of the records produced so far.
   */
  private static void assertSurveysMatchTheStream(String step) throws Exception {
    List<ScenarioRecord> sent = records.subList(0, produced);
    Instant watermark =
        sent.stream()
            .map(ScenarioRecord::streamPosition)
            .max(Instant::compareTo)
            .orElseThrow()
            .minus(EventTimeOptions.DEFAULT_OUT_OF_ORDERNESS)
            .minusMillis(1);
    TreeMap<String, List<Long>> expected = expectedRows(sent, watermark);
    Map<String, Long> expectedDeadLetters = new TreeMap<>();
    long counted = 0;
    for (ScenarioRecord record : sent) {
      if (record.fate().isCounted()) {
        counted++;
      } else {
        expectedDeadLetters.merge(record.fate().rejectReason().name(), 1L, Long::sum);
      }
    }
    long deadline = System.nanoTime() + SETTLE.toNanos();
    TreeMap<String, List<Long>> actual = actualRows(watermark);
    Map<String, Long> deadLetters = deadLetters();
    while ((!actual.equals(expected) || !deadLetters.equals(expectedDeadLetters))
        && System.nanoTime() < deadline) {
      Thread.sleep(1_000);
      actual = actualRows(watermark);
      deadLetters = deadLetters();
    }
    assertThat(expected.size()).as("window rows expected %s", step).isGreaterThan(100);
    assertThat(actual).as("window rows %s\n%s", step, flink.tails()).isEqualTo(expected);
    assertThat(deadLetters).as("dead letters per reason %s", step).isEqualTo(expectedDeadLetters);
    long deadLettered = deadLetters.values().stream().mapToLong(Long::longValue).sum();
    assertThat(counted + deadLettered).as("in = counted + dead-lettered").isEqualTo(sent.size());
    System.out.printf(
        Locale.ROOT,
        "ClusterFaultsITCase %s: %d records in = %d counted + %d dead-lettered %s; %d window rows"
            + " up to %s equal%n",
        step,
        sent.size(),
        counted,
        deadLettered,
        deadLetters,
        expected.size(),
        watermark);
  }

  /**
   * Key "window start|channel|segment" → csat_total, csat_satisfied, nps_total, nps_promoters,
   * nps_detractors, ces_count, ces_sum.
   */
  private static TreeMap<String, List<Long>> expectedRows(
      List<ScenarioRecord> sent, Instant watermark) {
    TreeMap<String, long[]> sums = new TreeMap<>();
    for (ScenarioRecord record : sent) {
      if (!record.fate().isCounted()) {
        continue;
      }
      SurveyResponse response = record.event().orElseThrow();
      Instant windowStart = response.getEventTime().truncatedTo(ChronoUnit.MINUTES);
      if (windowStart.plus(EventTimeOptions.DEFAULT_WINDOW).isAfter(watermark)) {
        continue;
      }
      String key =
          windowStart.getEpochSecond()
              + "|"
              + response.getChannel().name().toLowerCase(Locale.ROOT)
              + "|"
              + response.getSegment();
      long[] row = sums.computeIfAbsent(key, k -> new long[7]);
      int score = response.getScore();
      switch (response.getSurveyType()) {
        case CSAT -> {
          row[0]++;
          row[1] += score >= 4 ? 1 : 0;
        }
        case NPS -> {
          row[2]++;
          row[3] += score >= 9 ? 1 : 0;
          row[4] += score <= 6 ? 1 : 0;
        }
        case CES -> {
          row[5]++;
          row[6] += score;
        }
        default -> throw new AssertionError(response);
      }
    }
    TreeMap<String, List<Long>> rows = new TreeMap<>();
    sums.forEach((key, row) -> rows.put(key, java.util.Arrays.stream(row).boxed().toList()));
    return rows;
  }

  private static TreeMap<String, List<Long>> actualRows(Instant watermark) throws Exception {
    TreeMap<String, List<Long>> rows = new TreeMap<>();
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT toUnixTimestamp(window_start), channel, segment, csat_total,"
                    + " csat_satisfied, nps_total, nps_promoters, nps_detractors, ces_count,"
                    + " ces_sum FROM cx_survey_window_latest WHERE window_end <= "
                    + "toDateTime64('"
                    + watermark.toString().replace("T", " ").replace("Z", "")
                    + "', 3, 'UTC')")) {
      while (rs.next()) {
        List<Long> row = new ArrayList<>();
        for (int i = 4; i <= 10; i++) {
          row.add(rs.getLong(i));
        }
        rows.put(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3), row);
      }
    } catch (java.sql.SQLException e) {
      // ClickHouse down or restarting: nothing to compare yet.
    }
    return rows;
  }

  /** Dead letters of the survey topic per reason, one per Kafka record. */
  private static Map<String, Long> deadLetters() throws Exception {
    Map<String, Long> counts = new TreeMap<>();
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT reason, sum(dead_letters) FROM cx_dead_letter_counts"
                    + " WHERE source_topic = '"
                    + SurveyJobOptions.DEFAULT_TOPIC
                    + "' GROUP BY reason")) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
      }
    } catch (java.sql.SQLException e) {
      // As above.
    }
    return counts;
  }

  /** Rows written to cx_survey_window so far, every version (-1 if ClickHouse does not answer). */
  private static long surveyRowVersions() {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT count() FROM cx_survey_window")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      return -1;
    }
  }

  /** Waits for a row written after the fault; returns the time from the fault to it. */
  private static Duration awaitNewRows(long rowsBefore, Instant fault) throws Exception {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (surveyRowVersions() <= rowsBefore) {
      assertThat(System.nanoTime())
          .as("a new row after the fault\n%s", flink.tails())
          .isLessThan(deadline);
      Thread.sleep(200);
    }
    return Duration.between(fault, Instant.now());
  }

  /** Every job restored from a checkpoint after {@code fault}. */
  private static void assertRestoredAfter(Instant fault) throws Exception {
    for (Map.Entry<String, String> job : jobIds.entrySet()) {
      JsonNode restored =
          flink.rest("/jobs/" + job.getValue() + "/checkpoints").path("latest").path("restored");
      assertThat(restored.path("restore_timestamp").asLong())
          .as("%s restored from a checkpoint after the fault: %s", job.getKey(), restored)
          .isGreaterThanOrEqualTo(fault.toEpochMilli());
    }
  }

  private static void report(String fault, Duration recovery) {
    System.out.printf(
        Locale.ROOT,
        "ClusterFaultsITCase recovery: %s -> first new row in ClickHouse after %.1f s%n",
        fault,
        recovery.toMillis() / 1000.0);
  }

  private static Connection connect() throws java.sql.SQLException {
    Properties properties = new Properties();
    properties.put("user", CLICKHOUSE_USER);
    properties.put("password", password);
    return DriverManager.getConnection(
        "jdbc:clickhouse:http://127.0.0.1:" + clickHousePort + "/default", properties);
  }
}
