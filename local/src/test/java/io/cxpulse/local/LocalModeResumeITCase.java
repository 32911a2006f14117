package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.events.SurveyResponse;
import io.cxpulse.jobs.codec.DecodeResult;
import io.cxpulse.jobs.codec.EventDecoder;
import io.cxpulse.jobs.codec.SchemaCatalog;
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
 * savepoint, the next run on the same data directory resumes from it, and every minute across the
 * restart holds exactly the surveys the topic holds for it. Without the savepoint the minute open
 * at the stop would be written again from the second run's part alone (a row replaced by a smaller
 * one). Real processes, real signals; the second run, stopped by SIGTERM, also shows what a person
 * sees: the banner naming the log file and the summary, and no engine log line.
 */
class LocalModeResumeITCase {

  private static final Duration START = Duration.ofMinutes(4);
  private static final Duration STOP = Duration.ofMinutes(3);

  /** Only valid, unique surveys: every record in the topic is one the job counts. */
  private static final String[] TRAFFIC = {
    "--rate=20", "--bad-record-every=0", "--duplicate-every=0", "--summary-interval=5s"
  };

  @TempDir Path dir;

  @Test
  void ctrlCSavesTheOpenWindowsAndTheNextRunResumesFromThem() throws Exception {
    Path dataDir = dir.resolve("data");

    LocalModeProcess first = LocalModeProcess.start(dir, "first", dataDir, TRAFFIC);
    Instant stopAt;
    try {
      first.await(text -> text.contains("CX Pulse local mode is up"), START);
      assertThat(first.stdout()).contains("State             new (no saved state");
      // Run into a second minute, so that the minute open at the stop is not the run's first
      // (partial) one, and stop 20 s into it: that minute has counts in the jobs' state only.
      Instant up = Instant.now();
      stopAt = up.truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1)).plusSeconds(20);
      Thread.sleep(Math.max(0, Duration.between(Instant.now(), stopAt).toMillis()));
      first.signal("INT");
      assertThat(first.awaitExit(STOP)).as(first.terminal()).isEqualTo(130);
      assertThat(first.stdout())
          .contains("Saved the jobs' state to " + dataDir.resolve("savepoints"));
      first.assertTerminalShowsNoEngineLogs();
    } finally {
      first.kill();
    }
    Instant openAtStop = stopAt.truncatedTo(ChronoUnit.MINUTES);

    LocalModeProcess second = LocalModeProcess.start(dir, "second", dataDir, TRAFFIC);
    try {
      second.await(text -> text.contains("CX Pulse local mode is up"), START);
      assertThat(second.stdout())
          .contains("State             resumed from " + dataDir.resolve("savepoints"));
      String credentials =
          LocalCredentials.READER + ":" + LocalCredentials.loadOrCreate(dataDir).readerPassword();

      // The second run's traffic moves event time past the minute that was open at the stop.
      long completeBefore = 0;
      long deadline = System.nanoTime() + START.toNanos();
      while (completeBefore < openAtStop.plus(Duration.ofMinutes(1)).getEpochSecond()) {
        assertThat(System.nanoTime())
            .as("the minute open at the stop completed:\n%s", second.terminal())
            .isLessThan(deadline);
        Thread.sleep(1_000);
        String progress =
            query(
                second,
                credentials,
                "SELECT toUnixTimestamp(complete_before) FROM cx_job_progress_latest"
                    + " WHERE table_name = 'cx_survey_window'");
        completeBefore = progress.isBlank() ? 0 : Long.parseLong(progress.strip());
      }

      Map<Long, Long> counted = new TreeMap<>();
      long partial = -1;
      for (String line :
          query(
                  second,
                  credentials,
                  "SELECT toUnixTimestamp(bucket_start), csat_total + nps_total + ces_count,"
                      + " is_partial, is_complete FROM cx_survey_scores_minute"
                      + " WHERE channel = 'all' AND segment = 'all' ORDER BY bucket_start")
              .strip()
              .split("\n")) {
        String[] cells = line.split("\t");
        long bucket = Long.parseLong(cells[0]);
        if (cells[2].equals("1")) {
          assertThat(partial).as("one partial minute: the first run's first").isEqualTo(-1);
          partial = bucket;
        } else if (cells[3].equals("1")) {
          counted.put(bucket, Long.parseLong(cells[1]));
        }
      }
      assertThat(partial).as("the first run's first minute is partial").isPositive();
      assertThat(counted)
          .as("complete minutes, the one open at the stop among them")
          .containsKey(openAtStop.getEpochSecond());

      Map<Long, Long> inTopic = surveysPerMinute(second.kafkaBootstrap());
      Map<Long, Long> expected = new TreeMap<>();
      counted.keySet().forEach(minute -> expected.put(minute, inTopic.getOrDefault(minute, 0L)));
      assertThat(counted)
          .as("surveys counted per complete minute vs the topic (the stop at %s)", stopAt)
          .isEqualTo(expected);
      System.out.printf(
          "LocalModeResumeITCase: stopped at %s; minute %s counted %d surveys, the topic holds"
              + " %d; %d complete minutes compared%n",
          stopAt,
          openAtStop,
          counted.get(openAtStop.getEpochSecond()),
          expected.get(openAtStop.getEpochSecond()),
          counted.size());

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

  /** Surveys in the topic per minute of event time (epoch seconds). */
  private static Map<Long, Long> surveysPerMinute(String bootstrap) {
    EventDecoder<SurveyResponse> decoder =
        EventDecoder.surveys(SchemaCatalog.loadFromClasspath().store());
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<Long, Long> perMinute = new TreeMap<>();
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
          long minute =
              decoded.value().getEventTime().truncatedTo(ChronoUnit.MINUTES).getEpochSecond();
          perMinute.merge(minute, 1L, Long::sum);
        }
      }
    }
    return perMinute;
  }

  private static String query(LocalModeProcess process, String credentials, String sql)
      throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
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
