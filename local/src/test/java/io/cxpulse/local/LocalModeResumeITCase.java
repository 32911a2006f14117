package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local mode keeps the windows that were open when it stopped: Ctrl-C stops the jobs with a
 * savepoint, the next run on the same data directory resumes from it, and the minute open at the
 * stop holds the surveys of both runs, from the moment the job says it is complete. Without the
 * savepoint that minute would be written from the second run's part alone. Real processes, real
 * signals; the second run, stopped by SIGTERM, also shows what a person sees: the banner naming the
 * log file and the summary, and no engine log line.
 */
class LocalModeResumeITCase {

  private static final Duration START = Duration.ofMinutes(4);
  private static final Duration STOP = Duration.ofMinutes(2);

  /** Traffic before the stop, at least: enough surveys in the minute open at the stop. */
  private static final Duration TRAFFIC_BEFORE_STOP = Duration.ofSeconds(10);

  /** Until the resumed run's traffic has completed the minute open at the stop. */
  private static final Duration COMPLETE = Duration.ofMinutes(3);

  /** Until stragglers (late surveys, sent after their minute completed) are counted too. */
  private static final Duration SETTLE = Duration.ofSeconds(30);

  /** Only valid, unique surveys: every record in the topic is one the job counts. */
  private static final String[] TRAFFIC = {
    "--rate=20", "--bad-record-every=0", "--duplicate-every=0", "--summary-interval=5s"
  };

  /**
   * One client, so one kept-alive connection: a client per query left one open each, and polled
   * often they filled the server's 64 (it then closes new ones unanswered).
   */
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void ctrlCSavesTheOpenWindowsAndTheNextRunResumesFromThem() throws Exception {
    Path dataDir = dir.resolve("data");
    Instant ctrlC;

    LocalModeProcess first = LocalModeProcess.start(dir, "first", dataDir, TRAFFIC);
    try {
      first.await(text -> text.contains("CX Pulse local mode is up"), START);
      assertThat(first.stdout()).contains("State             new (no saved state");
      sleepUntil(stopMoment(Instant.now()));
      ctrlC = Instant.now();
      first.signal("INT");
      assertThat(first.awaitExit(STOP)).as(first.terminal()).isEqualTo(130);
      assertThat(first.stdout())
          .contains("Saved the jobs' state to " + dataDir.resolve("savepoints"));
      first.assertTerminalShowsNoEngineLogs();
    } finally {
      first.kill();
    }

    Instant secondStart = Instant.now();
    LocalModeProcess second = LocalModeProcess.start(dir, "second", dataDir, TRAFFIC);
    try {
      second.await(text -> text.contains("CX Pulse local mode is up"), START);
      assertThat(second.stdout())
          .contains("State             resumed from " + dataDir.resolve("savepoints"));
      assertTheMinuteOpenAtTheStopKeptItsCounts(second, dataDir, secondStart, ctrlC);

      second.signal("TERM");
      // 128 + 15: the JVM ran its shutdown hooks and exited.
      assertThat(second.awaitExit(STOP)).as(second.terminal()).isEqualTo(143);

      // What a person saw: the banner naming the log file, the summary, no engine log lines;
      // the engines' lines from start to stop are in the file.
      Path logFile = dataDir.resolve("logs/cx-pulse.log");
      assertThat(second.stdout())
          .contains("CX Pulse local mode is up")
          .contains("\n  Log file          " + logFile + " ")
          .contains("dead letters");
      second.assertTerminalShowsNoEngineLogs();
      assertThat(Files.readString(logFile, StandardCharsets.UTF_8))
          .as("the log file")
          .contains("org.apache.flink.runtime.minicluster.MiniCluster")
          .contains("kafka.server.")
          .contains("ClickHouse engine (libchdb) opened on " + dataDir.resolve("clickhouse"))
          .contains("CX Pulse local mode stopped");
    } finally {
      second.kill();
    }
  }

  /**
   * On {@code resumed}, started at {@code restart} on the state of the run stopped with Ctrl-C at
   * {@code ctrlC}: the minute open at the stop holds every on-time survey of both runs once the job
   * says it is complete, and every minute up to it ends up with exactly the surveys the topic holds
   * for it.
   */
  private static void assertTheMinuteOpenAtTheStopKeptItsCounts(
      LocalModeProcess resumed, Path dataDir, Instant restart, Instant ctrlC) throws Exception {
    Duration stopToUp = Duration.between(ctrlC, Instant.now());
    String credentials =
        LocalCredentials.READER + ":" + LocalCredentials.loadOrCreate(dataDir).readerPassword();
    // The minute of the newest survey sent before the restart was open at the stop: the watermark
    // trails the newest event time.
    Topic beforeRestart = Topic.read(resumed.kafkaBootstrap(), restart);
    long openAtStop = beforeRestart.beforeRestart().lastKey();
    assertThat(beforeRestart.beforeRestart().get(openAtStop))
        .as("surveys sent before the restart in the minute open at the stop")
        .isGreaterThan(100);

    // The moment the job says that minute is complete, its rows hold every on-time survey.
    long deadline = System.nanoTime() + COMPLETE.toNanos();
    while (completeBefore(resumed, credentials) < openAtStop + 60) {
      assertThat(System.nanoTime())
          .as("the minute open at the stop completed:\n%s", resumed.terminal())
          .isLessThan(deadline);
      // Often: the moment matters (a minute read as complete while its rows are still coming).
      Thread.sleep(200);
    }
    long atComplete = counted(resumed, credentials).getOrDefault(openAtStop, 0L);
    Duration stopToComplete = Duration.between(ctrlC, Instant.now());
    Topic topic = Topic.read(resumed.kafkaBootstrap(), restart);
    assertThat(atComplete)
        .as(
            "surveys counted in minute %s, open at the stop, once complete (%d sent before the"
                + " restart, %d in the topic)",
            Instant.ofEpochSecond(openAtStop),
            topic.beforeRestart().get(openAtStop),
            topic.all().get(openAtStop))
        .isBetween(topic.onTime().get(openAtStop), topic.all().get(openAtStop));

    // A resumed run is the same run: its first window is still the first run's first.
    assertThat(
            query(
                    resumed,
                    credentials,
                    "SELECT DISTINCT toUnixTimestamp(bucket_start) FROM cx_survey_scores_minute"
                        + " WHERE is_partial")
                .strip())
        .as("the partial minute")
        .isEqualTo(topic.all().firstKey().toString());

    // Stragglers, sent up to 40 s after their event time, still join their minute.
    deadline = System.nanoTime() + SETTLE.toNanos();
    Map<Long, Long> counted = counted(resumed, credentials).headMap(openAtStop, true);
    Map<Long, Long> expected = topic.all().headMap(openAtStop, true);
    while (!counted.equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(1_000);
      counted = counted(resumed, credentials).headMap(openAtStop, true);
      expected = Topic.read(resumed.kafkaBootstrap(), restart).all().headMap(openAtStop, true);
    }
    assertThat(counted).as("surveys counted per minute vs the topic").isEqualTo(expected);
    System.out.printf(
        "LocalModeResumeITCase: Ctrl-C at %s: up again %d s later, its minute complete %d s later"
            + " with %d surveys, %d of them sent before the restart; %d minutes equal to the"
            + " topic%n",
        ctrlC,
        stopToUp.toSeconds(),
        stopToComplete.toSeconds(),
        atComplete,
        topic.beforeRestart().get(openAtStop),
        counted.size());
  }

  private static void sleepUntil(Instant moment) throws InterruptedException {
    Thread.sleep(Math.max(0, Duration.between(Instant.now(), moment).toMillis()));
  }

  /**
   * When to stop a run that is up at {@code up}: after {@link #TRAFFIC_BEFORE_STOP} of traffic, and
   * at least as long into a minute, so the minute open at the stop has a real part.
   */
  private static Instant stopMoment(Instant up) {
    Instant stop = up.plus(TRAFFIC_BEFORE_STOP);
    Instant intoMinute = stop.truncatedTo(ChronoUnit.MINUTES).plus(TRAFFIC_BEFORE_STOP);
    return stop.isBefore(intoMinute) ? intoMinute : stop;
  }

  /** The job's complete_before for cx_survey_window, epoch seconds (0 before any progress). */
  private static long completeBefore(LocalModeProcess process, String credentials)
      throws Exception {
    String progress =
        query(
            process,
            credentials,
            "SELECT toUnixTimestamp(complete_before) FROM cx_job_progress_latest"
                + " WHERE table_name = 'cx_survey_window'");
    return progress.isBlank() ? 0 : Long.parseLong(progress.strip());
  }

  /** Surveys counted per minute (epoch seconds), whether the minute is partial or complete. */
  private static TreeMap<Long, Long> counted(LocalModeProcess process, String credentials)
      throws Exception {
    TreeMap<Long, Long> counted = new TreeMap<>();
    for (String line :
        query(
                process,
                credentials,
                "SELECT toUnixTimestamp(bucket_start), csat_total + nps_total + ces_count"
                    + " FROM cx_survey_scores_minute WHERE channel = 'all' AND segment = 'all'")
            .strip()
            .lines()
            .toList()) {
      String[] cells = line.split("\t");
      counted.put(Long.parseLong(cells[0]), Long.parseLong(cells[1]));
    }
    return counted;
  }

  /**
   * The surveys in the topic per minute of event time (epoch seconds): all of them, those sent
   * before {@code restart} (by the runs before it), and those on time (sent within the jobs'
   * out-of-orderness bound of their event time, so counted before their minute completes).
   */
  private record Topic(
      TreeMap<Long, Long> all, TreeMap<Long, Long> beforeRestart, TreeMap<Long, Long> onTime) {

    static Topic read(String bootstrap, Instant restart) {
      EventDecoder<SurveyResponse> decoder =
          EventDecoder.surveys(SchemaCatalog.loadFromClasspath().store());
      Properties config = new Properties();
      config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
      config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      Topic topic = new Topic(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
        List<TopicPartition> partitions =
            consumer.partitionsFor(SurveyJobOptions.DEFAULT_TOPIC).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
          for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
            DecodeResult<SurveyResponse> decoded = decoder.decode(record.value());
            assertThat(decoded.isOk()).as("a generated survey: %s", decoded).isTrue();
            Instant eventTime = decoded.value().getEventTime();
            long minute = eventTime.truncatedTo(ChronoUnit.MINUTES).getEpochSecond();
            topic.all().merge(minute, 1L, Long::sum);
            if (record.timestamp() < restart.toEpochMilli()) {
              topic.beforeRestart().merge(minute, 1L, Long::sum);
            }
            if (record.timestamp() - eventTime.toEpochMilli()
                <= EventTimeOptions.DEFAULT_OUT_OF_ORDERNESS.toMillis()) {
              topic.onTime().merge(minute, 1L, Long::sum);
            }
          }
        }
      }
      return topic;
    }
  }

  private static String query(LocalModeProcess process, String credentials, String sql)
      throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(process.clickHouseHttpUrl()))
                .header(
                    "Authorization",
                    "Basic "
                        + Base64.getEncoder()
                            .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(sql + " FORMAT TSV"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }
}
