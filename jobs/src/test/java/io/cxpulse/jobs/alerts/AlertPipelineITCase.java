package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.events.AlertStatus;
import io.cxpulse.events.Channel;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.SurveyType;
import io.cxpulse.jobs.FlinkTestCluster;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.generator.ScoreShift;
import io.cxpulse.jobs.generator.SurveyScenario;
import io.cxpulse.jobs.generator.SurveyScenario.Kind;
import io.cxpulse.jobs.generator.SurveyScenario.ScenarioRecord;
import io.cxpulse.jobs.generator.SurveyTrafficGenerator;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.Dimensions;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventInput;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.JobLauncher;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.sql.SchemaMigrator;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerting end to end on the real engines: the bounded survey job ({@link SurveyJob#defineWorkflow}
 * with the production Kafka source, {@link SurveyJob#productionSinks} and {@link
 * AlertSinks#production}) runs on a MiniCluster at parallelism 2 over two and a half hours of
 * generated survey traffic on three channels, produced to an in-process Kafka broker out of order
 * within the watermark bound and with duplicates. From minute 60 to minute 80 of event time the
 * store channel's CSAT drops from about 80 % to about 41 % ({@link ScoreShift#incident}).
 *
 * <p>The rules (written here as YAML) are {@value #RULE_ID}, {@code csat below 60} per channel over
 * 10-minute windows with {@value #MIN_SAMPLES} samples at least, a hysteresis of {@value
 * #HYSTERESIS} points and a cooldown, and a noise rule that must never page: the same condition
 * with a sample size no 10-minute window reaches. The expectation comes from the generated
 * responses alone: the test sums CSAT per minute and channel itself, slides the 10-minute window
 * minute by minute and applies the rule (fire below 60 with enough samples, resolve at 60 +
 * hysteresis or more). That gives exactly one episode, on store, and its firing and resolving
 * windows; the alert ids are {@link AlertEvaluator#alertId} of the firing window.
 *
 * <ul>
 *   <li>The alert topic holds exactly that FIRING and that RESOLVED (single-object Avro, keyed by
 *       alert id), with the window, the CSAT and the sample size computed here;
 *   <li>{@code cx_alerts FINAL} holds the same two rows, {@code cx_alert_history} one episode fired
 *       and resolved at those window ends, inside the bounds the rule's maths allows, and {@code
 *       cx_alerts_open} nothing;
 *   <li>a webhook receiver on loopback gets both as JSON, in order;
 *   <li>with the webhook pointing at a closed port, the job still ends normally, in far less time
 *       than a sender that waited for its retries would take, and topic and table still hold both.
 * </ul>
 */
class AlertPipelineITCase {

  private static final long SEED = 20_251_202L;
  private static final Duration WINDOW = Duration.ofMinutes(1);
  private static final Duration OUT_OF_ORDERNESS = Duration.ofSeconds(20);
  private static final Duration ALLOWED_LATENESS = Duration.ofMinutes(10);

  /** Responses per second of event time, over three channels: about 25 CSAT a minute each. */
  private static final double EVENTS_PER_SECOND = 2.5;

  private static final Duration TRAFFIC = Duration.ofMinutes(150);
  private static final Channel INCIDENT_CHANNEL = Channel.STORE;
  private static final Duration INCIDENT_AFTER = Duration.ofMinutes(60);
  private static final Duration INCIDENT_LENGTH = Duration.ofMinutes(20);

  private static final String RULE_ID = "csat-below-60";
  private static final String NOISE_RULE_ID = "csat-below-60-thin";
  private static final Duration RULE_WINDOW = Duration.ofMinutes(10);
  private static final int THRESHOLD = 60;
  private static final int HYSTERESIS = 5;
  private static final long MIN_SAMPLES = 150;
  private static final long NOISE_MIN_SAMPLES = 5_000;
  private static final Duration COOLDOWN = Duration.ofMinutes(30);

  private static final String RULES_YAML =
      String.join(
          "\n",
          "rules:",
          "  - id: " + RULE_ID,
          "    metric: csat",
          "    scope: {channel: any, segment: all}",
          "    window: 10m",
          "    condition: {below: " + THRESHOLD + "}",
          "    min_samples: " + MIN_SAMPLES,
          "    severity: critical",
          "    cooldown: " + COOLDOWN.toMinutes() + "m",
          "    hysteresis: " + HYSTERESIS,
          "  - id: " + NOISE_RULE_ID,
          "    metric: csat",
          "    scope: {channel: any, segment: all}",
          "    window: 10m",
          "    condition: {below: " + THRESHOLD + "}",
          "    min_samples: " + NOISE_MIN_SAMPLES,
          "    severity: warning",
          "    cooldown: " + COOLDOWN.toMinutes() + "m",
          "");

  private static final String SURVEY_TOPIC = "cx.surveys";
  private static final String DEAD_LETTER_TOPIC = "cx.dead-letters";

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      FlinkTestCluster.withSlots(2, REPORTER.addToConfiguration(FlinkTestCluster.noRestarts()));

  @TempDir static Path dataDir;

  private static EmbeddedClickHouse clickHouse;
  private static EmbeddedKafka kafka;
  private static Instant incidentStart;
  private static Instant incidentEnd;
  private static Episode expected;

  /** What the rule must report, from the generated responses. */
  private record Episode(CsatWindow firing, CsatWindow resolving) {
    String alertId() {
      return AlertEvaluator.alertId(
          RULE_ID,
          new AlertScope(Dimensions.channel(INCIDENT_CHANNEL), AlertScope.ALL),
          firing.start());
    }
  }

  /** The CSAT of one channel over one window of {@link #RULE_WINDOW}. */
  private record CsatWindow(Instant start, Instant end, long satisfied, long total) {
    double csat() {
      return 100.0 * satisfied / total;
    }
  }

  @BeforeAll
  static void start() throws Exception {
    clickHouse =
        EmbeddedClickHouse.builder().dataDir(dataDir.resolve("clickhouse")).port(0).start();
    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl())) {
      new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
    }
    kafka = EmbeddedKafka.builder().port(0).build().start();
    // One partition: the scenario's disorder bounds hold per partition (see SurveyScenario).
    kafka.createTopics(1, SURVEY_TOPIC, DEAD_LETTER_TOPIC);

    // Traffic well in the past (the job refuses event times ahead of the record timestamps), at
    // whole hours so that the minutes of the rows are the generator's minutes.
    Instant now = Instant.now();
    Instant trafficStart = now.minus(Duration.ofHours(4)).truncatedTo(ChronoUnit.HOURS);
    incidentStart = trafficStart.plus(INCIDENT_AFTER);
    incidentEnd = incidentStart.plus(INCIDENT_LENGTH);
    SurveyTrafficGenerator generator =
        SurveyTrafficGenerator.builder(SEED, trafficStart, EVENTS_PER_SECOND)
            .channelMix(Map.of(Channel.WEB, 1.0, Channel.MOBILE_APP, 1.0, Channel.STORE, 1.0))
            .scoreShift(ScoreShift.incident(INCIDENT_CHANNEL, incidentStart, INCIDENT_LENGTH))
            .build();
    List<SurveyResponse> responses = new ArrayList<>();
    Instant trafficEnd = trafficStart.plus(TRAFFIC);
    for (SurveyResponse next = generator.next();
        next.getEventTime().isBefore(trafficEnd);
        next = generator.next()) {
      responses.add(next);
    }
    SurveyScenario scenario =
        SurveyScenario.builder(responses, now)
            .seed(SEED)
            .windowSize(WINDOW)
            .outOfOrderness(OUT_OF_ORDERNESS)
            .allowedLateness(ALLOWED_LATENESS)
            // Disorder within the bound and duplicates, nothing late: a row is final when its
            // window closes, so every evaluation sees exactly the rows computed below.
            .lateFraction(0)
            .duplicateFraction(0.02)
            .tooLateCount(0)
            .badRecords(false)
            .build();
    assertThat(scenario.records().stream().map(ScenarioRecord::kind).distinct())
        .as("kinds of records")
        .containsExactlyInAnyOrder(Kind.ON_TIME, Kind.DUPLICATE);
    assertThat(scenario.countedResponses())
        .as("every generated response is counted once")
        .hasSameSizeAs(responses);
    assertThat(
            scenario.records().stream()
                .filter(record -> record.event().isPresent())
                .anyMatch(
                    record ->
                        record.event().get().getEventTime().isBefore(record.streamPosition())))
        .as("responses out of event-time order")
        .isTrue();
    produce(scenario);

    expected = expectedEpisodes(responses);
  }

  @AfterAll
  static void stop() {
    try {
      if (kafka != null) {
        kafka.close();
      }
    } finally {
      if (clickHouse != null) {
        clickHouse.close();
      }
    }
  }

  @BeforeEach
  void emptyAlertTable() throws Exception {
    // Both tests raise the same episode; each checks only its own run's rows.
    query("TRUNCATE TABLE cx_alerts");
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void anIncidentFiresOnceAndResolvesOnceOnTopicTableAndWebhook() throws Exception {
    String alertTopic = "cx.alerts.receiver-up";
    kafka.createTopics(2, alertTopic);
    try (WebhookReceiver receiver = WebhookReceiver.start()) {
      JobExecutionResult result =
          runJob(
              "alert-pipeline-receiver-up",
              alertTopic,
              WebhookOptions.of(receiver.url("/hooks/cx-pulse").toString()));

      assertTopicHoldsTheEpisode(alertTopic);
      assertTableHoldsTheEpisode();

      // Every series of both rules has its latest evaluation, the rule that never fires included,
      // and that one says what it waits for.
      assertThat(query("SELECT DISTINCT rule_id FROM cx_alert_rule_status ORDER BY rule_id"))
          .containsExactly(RULE_ID, NOISE_RULE_ID);
      assertThat(
              query(
                  "SELECT concat(verdict, ' ', waiting_for) FROM cx_alert_rule_status"
                      + " WHERE rule_id = '"
                      + NOISE_RULE_ID
                      + "'"))
          .isNotEmpty()
          .allSatisfy(
              line ->
                  assertThat(line)
                      .startsWith("INSUFFICIENT samples: ")
                      .endsWith(" < min_samples " + NOISE_MIN_SAMPLES));

      ObjectMapper json = new ObjectMapper();
      List<String> received = new ArrayList<>();
      for (WebhookReceiver.Request request : receiver.requests()) {
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/hooks/cx-pulse");
        assertThat(request.contentType()).startsWith("application/json");
        JsonNode body = json.readTree(request.body());
        assertThat(body.get("rule_id").asText()).isEqualTo(RULE_ID);
        received.add(body.get("alert_id").asText() + " " + body.get("status").asText());
      }
      assertThat(received)
          .as("webhook requests")
          .containsExactly(expected.alertId() + " FIRING", expected.alertId() + " RESOLVED");

      JobID job = result.getJobID();
      assertThat(sumCounter(job, AlertFunction.ALERTS_FIRING)).as("alerts firing").isEqualTo(1);
      assertThat(sumCounter(job, AlertFunction.ALERTS_RESOLVED)).as("alerts resolved").isEqualTo(1);
      assertThat(sumCounter(job, WebhookSink.SENT)).as("webhook sent").isEqualTo(2);
      assertThat(sumCounter(job, WebhookSink.FAILED) + sumCounter(job, WebhookSink.DROPPED))
          .as("webhook failed or dropped")
          .isZero();
    }
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aWebhookReceiverThatIsDownNeitherStallsNorFailsTheJobAndTopicAndTableGetBothAlerts()
      throws Exception {
    String alertTopic = "cx.alerts.receiver-down";
    kafka.createTopics(2, alertTopic);
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    // Eight attempts with backoffs of 1, 2, 4, ... 64 s: a sender that held the job up until it
    // gave up would keep it running for over four minutes for the two alerts.
    int attempts = 8;
    WebhookOptions down =
        WebhookOptions.of("http://127.0.0.1:" + closedPort + "/hooks/cx-pulse")
            .withTimeout(Duration.ofSeconds(2))
            .withMaxAttempts(attempts);
    Duration wouldWait = Duration.ZERO;
    for (int retry = 1; retry < attempts; retry++) {
      wouldWait = wouldWait.plus(down.backoff(retry));
    }
    assertThat(wouldWait.multipliedBy(2)).isGreaterThan(Duration.ofMinutes(4));

    long started = System.nanoTime();
    JobExecutionResult result = runJob("alert-pipeline-receiver-down", alertTopic, down);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(took).as("job run with the receiver down").isLessThan(Duration.ofSeconds(60));
    assertTopicHoldsTheEpisode(alertTopic);
    assertTableHoldsTheEpisode();
    JobID job = result.getJobID();
    assertThat(sumCounter(job, AlertFunction.ALERTS_FIRING)).as("alerts firing").isEqualTo(1);
    assertThat(sumCounter(job, AlertFunction.ALERTS_RESOLVED)).as("alerts resolved").isEqualTo(1);
    assertThat(sumCounter(job, WebhookSink.SENT)).as("webhook sent").isZero();
    assertThat(sumCounter(job, WebhookSink.RETRIES)).as("webhook retries").isPositive();
    assertThat(sumCounter(job, WebhookSink.FAILED) + sumCounter(job, WebhookSink.DROPPED))
        .as("webhook failed or dropped: both alerts, none lost silently")
        .isEqualTo(2);
    System.out.printf(
        "AlertPipelineITCase: job with the webhook down took %d ms%n", took.toMillis());
  }

  // --- the expectation, from the generated responses alone ------------------------------------

  /**
   * Slides {@link #RULE_WINDOW} minute by minute over each channel's CSAT and applies both rules;
   * requires that exactly one episode results (the rule on the incident channel) and returns it.
   */
  private static Episode expectedEpisodes(List<SurveyResponse> responses) {
    // channel -> minute start -> {satisfied, total}
    Map<String, TreeMap<Instant, long[]>> minutes = new TreeMap<>();
    for (SurveyResponse response : responses) {
      if (response.getSurveyType() != SurveyType.CSAT) {
        continue;
      }
      long[] counts =
          minutes
              .computeIfAbsent(Dimensions.channel(response.getChannel()), c -> new TreeMap<>())
              .computeIfAbsent(
                  response.getEventTime().truncatedTo(ChronoUnit.MINUTES), m -> new long[2]);
      counts[0] += response.getScore() >= 4 ? 1 : 0;
      counts[1]++;
    }
    List<String> episodes = new ArrayList<>();
    Episode incident = null;
    for (Map.Entry<String, TreeMap<Instant, long[]>> channel : minutes.entrySet()) {
      List<CsatWindow> windows = slide(channel.getValue());
      for (long minSamples : new long[] {MIN_SAMPLES, NOISE_MIN_SAMPLES}) {
        List<Episode> found = episodes(windows, minSamples);
        for (Episode episode : found) {
          episodes.add(channel.getKey() + " min_samples " + minSamples + ": " + episode);
        }
        if (channel.getKey().equals(Dimensions.channel(INCIDENT_CHANNEL))
            && minSamples == MIN_SAMPLES
            && found.size() == 1) {
          incident = found.get(0);
        }
      }
    }
    assertThat(episodes).as("expected episodes").hasSize(1);
    assertThat(incident).as("the incident's episode").isNotNull();
    // The rule's maths: a window mixing k incident minutes (~41 %) with healthy ones (~81 %) is
    // below 60 from about k = 6 and back at 65 from about 7 minutes after the incident; a window
    // wholly inside (or wholly after) the incident decides for certain.
    assertThat(incident.firing().end())
        .isAfter(incidentStart.plus(Duration.ofMinutes(3)))
        .isBeforeOrEqualTo(incidentStart.plus(RULE_WINDOW));
    assertThat(incident.resolving().end())
        .isAfter(incidentEnd.plus(Duration.ofMinutes(3)))
        .isBeforeOrEqualTo(incidentEnd.plus(RULE_WINDOW));
    System.out.printf(
        "AlertPipelineITCase: incident %s..%s; expected FIRING window %s..%s CSAT %.3f (n=%d),"
            + " RESOLVED window %s..%s CSAT %.3f (n=%d), alert id %s%n",
        incidentStart,
        incidentEnd,
        incident.firing().start(),
        incident.firing().end(),
        incident.firing().csat(),
        incident.firing().total(),
        incident.resolving().start(),
        incident.resolving().end(),
        incident.resolving().csat(),
        incident.resolving().total(),
        incident.alertId());
    return incident;
  }

  /** Every window of {@link #RULE_WINDOW} ending at a minute that holds a minute of data. */
  private static List<CsatWindow> slide(TreeMap<Instant, long[]> perMinute) {
    List<CsatWindow> windows = new ArrayList<>();
    Instant first = perMinute.firstKey().plus(WINDOW);
    Instant last = perMinute.lastKey().plus(RULE_WINDOW);
    for (Instant end = first; !end.isAfter(last); end = end.plus(WINDOW)) {
      Instant start = end.minus(RULE_WINDOW);
      long satisfied = 0;
      long total = 0;
      for (long[] counts : perMinute.subMap(start, end).values()) {
        satisfied += counts[0];
        total += counts[1];
      }
      windows.add(new CsatWindow(start, end, satisfied, total));
    }
    return windows;
  }

  /**
   * The rule over {@code windows} in order: quiet and below the threshold with enough samples fires
   * (unless within the cooldown of the last resolution), firing and at threshold + hysteresis or
   * more with enough samples resolves.
   */
  private static List<Episode> episodes(List<CsatWindow> windows, long minSamples) {
    List<Episode> episodes = new ArrayList<>();
    CsatWindow firing = null;
    Instant resolvedAt = null;
    for (CsatWindow window : windows) {
      if (window.total() < minSamples) {
        continue;
      }
      if (firing == null) {
        boolean coolingDown =
            resolvedAt != null
                && Duration.between(resolvedAt, window.end()).compareTo(COOLDOWN) < 0;
        if (window.csat() < THRESHOLD && !coolingDown) {
          firing = window;
        }
      } else if (window.csat() >= THRESHOLD + HYSTERESIS) {
        episodes.add(new Episode(firing, window));
        resolvedAt = window.end();
        firing = null;
      }
    }
    assertThat(firing).as("an episode still open at the end of the traffic").isNull();
    return episodes;
  }

  // --- the job --------------------------------------------------------------------------------

  private static JobExecutionResult runJob(
      String groupId, String alertTopic, WebhookOptions webhook) throws Exception {
    SurveyJobOptions options =
        new SurveyJobOptions(
            new KafkaOptions(kafka.bootstrapServers()),
            SURVEY_TOPIC,
            DEAD_LETTER_TOPIC,
            groupId,
            new ClickHouseOptions(clickHouse.jdbcUrl(), ClickHouseOptions.DEFAULT_USER, ""),
            new EventTimeOptions(
                WINDOW, OUT_OF_ORDERNESS, EventTimeOptions.DEFAULT_IDLENESS, ALLOWED_LATENESS),
            EventGateOptions.DEFAULTS,
            // Checkpoints flush the sinks; a bounded job also waits for one before it ends.
            new RuntimeOptions(Duration.ofMillis(500), 2, true, 200, Duration.ofMillis(200)),
            WindowAggregation.DEFAULT_SALTS);
    AlertSinks alertSinks =
        AlertSinks.production(
            kafka.bootstrapServers(),
            alertTopic,
            ClickHouseSinks.connectionOptions(clickHouse.jdbcUrl(), "default", ""),
            ClickHouseSinks.executionOptions(100, Duration.ofMillis(200)),
            webhook);
    Alerting alerting =
        new Alerting(
            AlertRules.parse(RULES_YAML, "AlertPipelineITCase"), Duration.ZERO, alertSinks);
    // As the job runs (JobLauncher): a type Flink would serialise with Kryo fails the job.
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            JobLauncher.withoutGenericTypes(new Configuration()));
    SurveyJob.configure(env, options);
    SurveyJob.defineWorkflow(
        env,
        options,
        EventInput.kafka(
            options.kafka().bootstrapServers(),
            options.topic(),
            options.groupId(),
            options.runtime().bounded()),
        SurveyJob.productionSinks(options).withAlerting(alerting));
    long started = System.nanoTime();
    JobExecutionResult result = env.execute("survey job with alerting, " + groupId);
    System.out.printf(
        "AlertPipelineITCase: %s job %d ms%n",
        groupId, Duration.ofNanos(System.nanoTime() - started).toMillis());
    return result;
  }

  // --- what the job wrote ---------------------------------------------------------------------

  private static void assertTopicHoldsTheEpisode(String alertTopic) throws Exception {
    List<io.cxpulse.events.Alert> alerts = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record :
        kafka.readAll(alertTopic, Duration.ofSeconds(30))) {
      io.cxpulse.events.Alert alert =
          io.cxpulse.events.Alert.getDecoder().decode(ByteBuffer.wrap(record.value()));
      assertThat(new String(record.key(), StandardCharsets.UTF_8))
          .as("key")
          .isEqualTo(alert.getAlertId());
      alerts.add(alert);
    }
    assertThat(alerts)
        .extracting(a -> a.getAlertId() + " " + a.getStatus())
        .as("alerts on %s", alertTopic)
        .containsExactlyInAnyOrder(
            expected.alertId() + " FIRING", expected.alertId() + " RESOLVED");
    for (io.cxpulse.events.Alert alert : alerts) {
      CsatWindow window =
          alert.getStatus() == AlertStatus.FIRING ? expected.firing() : expected.resolving();
      assertThat(alert.getRuleId()).isEqualTo(RULE_ID);
      assertThat(alert.getMetric()).isEqualTo("csat");
      assertThat(alert.getSeverity().name()).isEqualTo("CRITICAL");
      assertThat(alert.getChannel()).isEqualTo(Dimensions.channel(INCIDENT_CHANNEL));
      assertThat(alert.getSegment()).isEqualTo(AlertScope.ALL);
      assertThat(alert.getWindowStart()).as("window start").isEqualTo(window.start());
      assertThat(alert.getWindowEnd()).as("window end").isEqualTo(window.end());
      assertThat(alert.getValue()).as("CSAT").isCloseTo(window.csat(), within(1e-9));
      assertThat(alert.getSamples()).as("samples").isEqualTo(window.total());
      assertThat(alert.getThreshold()).isEqualTo((double) THRESHOLD);
      assertThat(alert.getBaseline()).isNull();
      assertThat(alert.getPValue()).isNull();
    }
  }

  private static void assertTableHoldsTheEpisode() throws Exception {
    assertThat(
            query(
                "SELECT concat(alert_id, '|', status, '|', rule_id, '|', channel, '|', segment,"
                    + " '|', toString(toUnixTimestamp64Milli(window_start)), '|',"
                    + " toString(toUnixTimestamp64Milli(window_end)), '|', toString(samples))"
                    + " FROM cx_alerts FINAL ORDER BY status"))
        .as("cx_alerts FINAL")
        .containsExactly(
            tableRow("FIRING", expected.firing()), tableRow("RESOLVED", expected.resolving()));
    assertThat(
            query("SELECT toString(value) FROM cx_alerts FINAL ORDER BY status").stream()
                .map(Double::parseDouble))
        .as("cx_alerts values")
        .satisfiesExactly(
            firing -> assertThat(firing).isCloseTo(expected.firing().csat(), within(1e-9)),
            resolved -> assertThat(resolved).isCloseTo(expected.resolving().csat(), within(1e-9)));
    assertThat(
            query(
                "SELECT concat(alert_id, '|', rule_id, '|', channel, '|',"
                    + " toString(toUnixTimestamp64Milli(fired_at)), '|',"
                    + " toString(toUnixTimestamp64Milli(resolved_at)), '|',"
                    + " toString(duration_seconds))"
                    + " FROM cx_alert_history"))
        .as("cx_alert_history")
        .containsExactly(
            String.join(
                "|",
                expected.alertId(),
                RULE_ID,
                Dimensions.channel(INCIDENT_CHANNEL),
                Long.toString(expected.firing().end().toEpochMilli()),
                Long.toString(expected.resolving().end().toEpochMilli()),
                Long.toString(
                    Duration.between(expected.firing().end(), expected.resolving().end())
                        .toSeconds())));
    assertThat(query("SELECT alert_id FROM cx_alerts_open")).as("cx_alerts_open").isEmpty();
  }

  private static String tableRow(String status, CsatWindow window) {
    return String.join(
        "|",
        expected.alertId(),
        status,
        RULE_ID,
        Dimensions.channel(INCIDENT_CHANNEL),
        AlertScope.ALL,
        Long.toString(window.start().toEpochMilli()),
        Long.toString(window.end().toEpochMilli()),
        Long.toString(window.total()));
  }

  // --- engines --------------------------------------------------------------------------------

  /** Produces the scenario to partition 0 of the survey topic, in order, idempotently. */
  private static void produce(SurveyScenario scenario) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ScenarioRecord record : scenario.records()) {
        producer.send(
            new ProducerRecord<>(
                SURVEY_TOPIC,
                0,
                record.timestamp().toEpochMilli(),
                record.key().getBytes(StandardCharsets.UTF_8),
                record.value()));
      }
      producer.flush();
    }
  }

  /** Every record of {@code topic}, from the beginning to its end offsets. */
  private static List<String> query(String sql) throws Exception {
    List<String> values = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(clickHouse.jdbcUrl());
        Statement statement = connection.createStatement()) {
      if (!statement.execute(sql)) {
        return values;
      }
      try (ResultSet rs = statement.getResultSet()) {
        while (rs.next()) {
          values.add(rs.getString(1));
        }
      }
    }
    return values;
  }

  /** The counter {@code name} summed over every operator and subtask of {@code job}. */
  private static long sumCounter(JobID job, String name) {
    return REPORTER.getMetricsByGroup().entrySet().stream()
        .filter(group -> job.toString().equals(group.getKey().getAllVariables().get("<job_id>")))
        .map(group -> group.getValue().get(name))
        .filter(Counter.class::isInstance)
        .mapToLong(counter -> ((Counter) counter).getCount())
        .sum();
  }
}
