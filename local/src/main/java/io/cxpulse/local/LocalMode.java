package io.cxpulse.local;

import io.cxpulse.embedded.ListenHost;
import io.cxpulse.embedded.clickhouse.EmbeddedClickHouse;
import io.cxpulse.embedded.kafka.EmbeddedKafka;
import io.cxpulse.jobs.aggregate.WindowAggregation;
import io.cxpulse.jobs.alerts.AlertOptions;
import io.cxpulse.jobs.alerts.AlertRules;
import io.cxpulse.jobs.alerts.Alerting;
import io.cxpulse.jobs.checkout.CheckoutJob;
import io.cxpulse.jobs.checkout.CheckoutJobOptions;
import io.cxpulse.jobs.drivers.DriverSinks;
import io.cxpulse.jobs.drivers.DriverSplitJob;
import io.cxpulse.jobs.drivers.DriverSplitJobOptions;
import io.cxpulse.jobs.generator.live.FollowUpSurveys;
import io.cxpulse.jobs.generator.live.Incident;
import io.cxpulse.jobs.generator.live.LiveTrafficSet;
import io.cxpulse.jobs.generator.live.TrafficFlags;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.DurationConverter;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.sql.MigrationResult;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.sql.SchemaMigrator;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.tickets.TicketJob;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import io.cxpulse.local.dashboards.DashboardQueries;
import io.cxpulse.local.dashboards.DashboardServer;
import io.cxpulse.local.dashboards.Dashboards;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The whole pipeline on one machine with no Docker: a real Kafka broker, the real ClickHouse engine
 * and the survey, checkout, ticket and driver split jobs on a Flink MiniCluster, all in this JVM,
 * plus a live generator of survey, checkout and ticket traffic and of follow-up surveys about the
 * tickets. The three metric jobs evaluate alert rules ({@link LocalAlertRules} unless {@code
 * --alert-rules} names a file) and send alerts to the alert topic, ClickHouse and an optional
 * webhook, as in production. Kafka, ClickHouse and the Flink web UI listen on fixed loopback ports
 * so that producers, curl and BI tools can reach them. Runs until Ctrl-C or SIGTERM, then stops
 * everything in reverse order of start: summary, generator, job, Kafka, ClickHouse.
 */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    versionProvider = CxPulseVersion.class,
    sortOptions = false,
    description =
        "Run CX Pulse locally until Ctrl-C: embedded Kafka and ClickHouse, the survey,"
            + " checkout, ticket and driver split jobs with alerting on a local Flink cluster, and"
            + " live generated traffic.")
public final class LocalMode implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(LocalMode.class);

  static final String DEFAULT_DATA_DIR = "data/local";

  static final String DEFAULT_DRIVER_WINDOW = "1m";

  /**
   * How long a follow-up survey waits for its ticket's first-response outcome in the driver split
   * job: the generator's surveys come within minutes of the resolution, so an hour is plenty, and
   * the job keeps its windows that long (its 7-day default would keep a week of 1-minute windows).
   */
  /**
   * How long, beyond the inactivity timeout, the checkout job waits before evaluating abandonment
   * rules on a window. An abandonment is decided an inactivity timeout after the checkout's last
   * step, not its start (to which it is attributed), and the generator's checkouts take up to about
   * 10 minutes from start to last step: evaluated after the timeout alone, a window still lacks
   * most abandonments at the payment step, which is where a payment outage shows (observed: a
   * window that ended at 60 % abandonment read below 58 % when evaluated).
   */
  static final Duration CHECKOUT_ALERT_EXTRA_DELAY = Duration.ofMinutes(10);

  static final Duration DRIVER_JOIN_HORIZON = Duration.ofHours(1);

  /**
   * Default allowed lateness of the driver split job in the local mode ({@code --driver-lateness}).
   * The job decides a ticket's outcome only its allowed lateness plus one window after the first
   * response (no late event can change it then), so with the job's 1-hour default no survey would
   * be joined in the first hour. The generator's stragglers are at most {@code
   * TrafficPlan.STRAGGLER_MAX} (40 s) late, well within this. A record later than this but within
   * the other jobs' hour (one of your own producers) is counted by them and dead-lettered by this
   * job as its own ({@code job = 'driver-split'}), which the summary shows.
   */
  static final String DEFAULT_DRIVER_LATENESS = "2m";

  /** Exit code when something cannot start, e.g. a port is in use. */
  static final int EXIT_FAILED = 1;

  private static final long JOB_START_TIMEOUT_MILLIS = 60_000;
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  @Spec CommandSpec spec;

  /** As given, relative to the working directory; null for the default, see {@link #dataDir()}. */
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Where Kafka and ClickHouse keep their data; a relative path is relative to the current"
              + " directory (default: ${sys:"
              + CxPulseHome.PROPERTY
              + ":-.}/"
              + DEFAULT_DATA_DIR
              + ", in the CX Pulse directory).")
  Path dataDir;

  /** The ClickHouse users of this run, loaded or created at start. */
  LocalCredentials credentials;

  @Option(
      names = "--host",
      defaultValue = EmbeddedClickHouse.DEFAULT_HOST,
      description =
          "Address ClickHouse and the Flink web UI listen on, 0.0.0.0 for every interface;"
              + " Kafka always uses 127.0.0.1 (default: ${DEFAULT-VALUE}).")
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

  @Option(
      names = "--flink-ui-port",
      defaultValue = "8081",
      description = "Flink web UI and REST port (default: ${DEFAULT-VALUE}).")
  int flinkUiPort;

  @Option(
      names = "--dashboard-port",
      defaultValue = "3000",
      description =
          "Port of the dashboard page (the Grafana dashboards of dashboards/, drawn from the"
              + " embedded ClickHouse) (default: ${DEFAULT-VALUE}).")
  int dashboardPort;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description =
          "Parallelism of each job (survey, checkout, tickets, driver split); at most"
              + " --partitions (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description =
          "Checkpoint interval of the jobs; rows reach ClickHouse on checkpoints"
              + " (default: ${DEFAULT-VALUE}).")
  Duration checkpointInterval;

  @Option(
      names = "--partitions",
      defaultValue = "4",
      description =
          "Partitions of the input topics "
              + SurveyJobOptions.DEFAULT_TOPIC
              + ", "
              + CheckoutJobOptions.DEFAULT_TOPIC
              + " and "
              + TicketJobOptions.DEFAULT_TOPIC
              + " when they are created (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--fresh",
      description =
          "Start the jobs from scratch instead of resuming from the state the last run on this"
              + " data directory saved (its savepoint on Ctrl-C, else its latest checkpoint).")
  boolean fresh;

  @Option(
      names = "--no-generator",
      description = "Do not generate traffic: produce your own events to the topics.")
  boolean noGenerator;

  /** The generator's flags, shared with the compose stack's generator (GenerateCommand). */
  @Mixin TrafficFlags generator = new TrafficFlags();

  @Option(
      names = "--inactivity-timeout",
      defaultValue = "10m",
      converter = DurationConverter.class,
      description =
          "Checkout inactivity timeout: shorter than the job's 30-minute default so abandonment"
              + " shows within minutes; the generator's steps are at most 10 minutes apart"
              + " (default: ${DEFAULT-VALUE}).")
  Duration inactivityTimeout;

  @Option(
      names = "--driver-window",
      defaultValue = DEFAULT_DRIVER_WINDOW,
      converter = DurationConverter.class,
      description =
          "Window of the driver split job: shorter than its 1-hour default so cx_driver_split"
              + " fills within minutes (default: ${DEFAULT-VALUE}).")
  Duration driverWindow;

  @Option(
      names = "--driver-lateness",
      defaultValue = DEFAULT_DRIVER_LATENESS,
      converter = DurationConverter.class,
      description =
          "Allowed lateness of the driver split job: it decides a ticket's outcome this long plus"
              + " one window after the first reply, so its first rows come this much sooner when"
              + " shorter; later surveys are dead-lettered by it (default: ${DEFAULT-VALUE}).")
  Duration driverLateness;

  @Option(
      names = "--summary-interval",
      defaultValue = "10s",
      converter = OptionalDurationConverter.class,
      description = "Print a live summary this often; 0 for none (default: ${DEFAULT-VALUE}).")
  Duration summaryInterval;

  @Mixin AlertOptions.Flags alertFlags = new AlertOptions.Flags();

  /** The alert rules, read before anything starts; null with {@code --no-alerts}. */
  AlertRules rules;

  /** The dashboard page, once it serves; null before. */
  DashboardServer dashboards;

  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private boolean stopping;

  /**
   * Set by the shutdown hook (Ctrl-C, SIGTERM) before it waits for {@link #stopAll}: a start under
   * way stops starting at its next step.
   */
  private volatile boolean stopRequested;

  /** The savepoint or checkpoint this run resumed from; empty for a new start. */
  private Optional<Path> resumedFrom = Optional.empty();

  @Override
  public Integer call() throws Exception {
    readArguments();
    if (!portsFree()) {
      return EXIT_FAILED;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopRequested = true;
                  stopAll();
                },
                "cx-pulse-local-shutdown"));
    try {
      startAll();
    } catch (Exception | LinkageError e) {
      if (stopRequested) {
        // Ctrl-C or SIGTERM while starting: the shutdown hook stops what did start. The step under
        // way may fail because of the shutdown itself, e.g. Kafka's first metrics class registers
        // a shutdown hook in its static initializer ("Shutdown in progress"): not a problem.
        if (e instanceof StopRequestedWhileStarting) {
          LOG.info("Stop requested while starting: nothing more starts");
        } else {
          LOG.info("Stop requested while starting; the step under way failed", e);
        }
        return EXIT_FAILED;
      }
      LOG.error("CX Pulse local mode could not start", e);
      stopAll();
      return EXIT_FAILED;
    }
    stopped.await();
    return 0;
  }

  /**
   * Checks the arguments and reads the alert rules: a bad rules file is a bad argument, found
   * before anything starts.
   */
  void readArguments() {
    validate();
    try {
      rules =
          alertFlags.options().disabled()
              ? null
              : alertFlags.options().rules(LocalAlertRules::load);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /**
   * Starts everything, in order: ClickHouse and its schema, Kafka and its topics, the job, the
   * generator, the summary. Synchronized with {@link #stopAll}: a Ctrl-C during startup stops
   * everything once the current step is done, and nothing after that step starts ({@link
   * #continueStarting}). Package-private, with {@link #readArguments} and {@link #stopAll}, for
   * tests that run local mode in their own JVM.
   */
  synchronized void startAll() throws Exception {
    Path absoluteDataDir = dataDir();
    LocalLog.routeTo(logFile());
    // Until the banner, the terminal would show nothing for tens of seconds on a busy machine.
    System.out.println("Starting CX Pulse local mode; its log: " + logFile());
    System.out.flush();
    credentials = LocalCredentials.loadOrCreate(absoluteDataDir);
    continueStarting();
    EmbeddedClickHouse clickHouse =
        register(
            EmbeddedClickHouse.builder()
                .host(host)
                .port(clickHousePort)
                .dataDir(absoluteDataDir.resolve("clickhouse"))
                .user(LocalCredentials.WRITER, credentials.writerPassword(), false)
                .user(LocalCredentials.READER, credentials.readerPassword(), true)
                .closeOnShutdown(false)
                .start());
    MigrationResult schema;
    try (Connection connection =
        DriverManager.getConnection(
            clickHouse.jdbcUrl(),
            jdbcCredentials(LocalCredentials.WRITER, credentials.writerPassword()))) {
      schema = new SchemaMigrator(Migrations.fromClasspath()).migrate(connection);
    }

    continueStarting();
    EmbeddedKafka kafka =
        register(
            EmbeddedKafka.builder()
                .port(kafkaPort)
                .dataDir(absoluteDataDir.resolve("kafka"))
                .build()
                .start());
    // The option groups all four jobs share, set once.
    KafkaOptions kafkaOptions = new KafkaOptions(kafka.bootstrapServers());
    ClickHouseOptions clickHouseOptions =
        new ClickHouseOptions(
            clickHouse.jdbcUrl(), LocalCredentials.WRITER, credentials.writerPassword());
    EventTimeOptions eventTime = EventTimeOptions.DEFAULTS;
    EventGateOptions eventGate = EventGateOptions.DEFAULTS;
    RuntimeOptions runtime =
        new RuntimeOptions(
            checkpointInterval,
            parallelism,
            false,
            RuntimeOptions.DEFAULT_JDBC_BATCH_SIZE,
            RuntimeOptions.DEFAULT_JDBC_FLUSH_INTERVAL);
    SurveyJobOptions options =
        new SurveyJobOptions(
            kafkaOptions,
            SurveyJobOptions.DEFAULT_TOPIC,
            KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC,
            SurveyJobOptions.DEFAULT_GROUP_ID,
            clickHouseOptions,
            eventTime,
            eventGate,
            runtime,
            WindowAggregation.DEFAULT_SALTS);
    CheckoutJobOptions checkoutOptions =
        new CheckoutJobOptions(
            kafkaOptions,
            CheckoutJobOptions.DEFAULT_TOPIC,
            KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC,
            CheckoutJobOptions.DEFAULT_GROUP_ID,
            clickHouseOptions,
            eventTime,
            inactivityTimeout,
            CheckoutJobOptions.DEFAULT_MAX_CHECKOUT_DURATION,
            eventGate,
            runtime,
            WindowAggregation.DEFAULT_SALTS);
    TicketJobOptions ticketOptions =
        new TicketJobOptions(
            kafkaOptions,
            TicketJobOptions.DEFAULT_TOPIC,
            KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC,
            TicketJobOptions.DEFAULT_GROUP_ID,
            clickHouseOptions,
            TicketJobOptions.BUNDLED_SLA_TARGETS,
            eventTime,
            eventGate,
            runtime,
            WindowAggregation.DEFAULT_SALTS);
    DriverSplitJobOptions driverOptions =
        new DriverSplitJobOptions(
            kafkaOptions,
            ticketOptions.topic(),
            options.topic(),
            DriverSplitJobOptions.DEFAULT_GROUP_ID,
            clickHouseOptions,
            TicketJobOptions.BUNDLED_SLA_TARGETS,
            new EventTimeOptions(
                driverWindow, eventTime.outOfOrderness(), eventTime.idleness(), driverLateness),
            DRIVER_JOIN_HORIZON,
            eventGate,
            runtime,
            WindowAggregation.DEFAULT_SALTS);
    kafka.createTopics(partitions, options.topic(), checkoutOptions.topic(), ticketOptions.topic());
    kafka.createTopics(1, options.deadLetterTopic());
    if (!alertFlags.options().disabled()) {
      kafka.createTopics(1, alertFlags.options().topic());
    }
    // One rule set for the three jobs; each job evaluates the rules of the metrics it produces.
    // Its own Alerting each, so each job gets its own sink instances.
    Alerting surveyAlerting = alerting(kafkaOptions, clickHouseOptions, runtime, Duration.ZERO);
    // Abandonment is decided an inactivity timeout after a checkout's last step: see
    // CHECKOUT_ALERT_EXTRA_DELAY.
    Alerting checkoutAlerting =
        alerting(
            kafkaOptions,
            clickHouseOptions,
            runtime,
            inactivityTimeout.plus(CHECKOUT_ALERT_EXTRA_DELAY));
    Alerting ticketAlerting = alerting(kafkaOptions, clickHouseOptions, runtime, Duration.ZERO);

    continueStarting();
    SavedState savedState = new SavedState(absoluteDataDir);
    resumedFrom = fresh ? Optional.empty() : savedState.newest();
    resumedFrom.ifPresent(path -> LOG.info("Resuming the local jobs from {}", path));
    LocalJobs job =
        register(
            LocalJobs.submit(
                env -> {
                  // The three jobs share checkpointing and parallelism: configure once.
                  SurveyJob.configure(env, options);
                  SurveyJob.defineWorkflow(
                      env,
                      options,
                      SurveyJob.kafkaInput(options),
                      SurveyJob.productionSinks(options).withAlerting(surveyAlerting));
                  CheckoutJob.defineWorkflow(
                      env,
                      checkoutOptions,
                      CheckoutJob.kafkaInput(checkoutOptions),
                      CheckoutJob.productionSinks(checkoutOptions).withAlerting(checkoutAlerting));
                  TicketJob.defineWorkflow(
                      env,
                      ticketOptions,
                      TicketJob.kafkaInput(ticketOptions),
                      TicketJob.productionSinks(ticketOptions).withAlerting(ticketAlerting));
                  DriverSplitJob.defineWorkflow(
                      env,
                      driverOptions,
                      DriverSplitJob.ticketSource(driverOptions),
                      DriverSplitJob.surveySource(driverOptions),
                      DriverSinks.production(driverOptions));
                },
                host,
                flinkUiPort,
                savedState,
                resumedFrom,
                System.out::println));
    String jobStatus = job.awaitRunning(JOB_START_TIMEOUT_MILLIS);
    if (resumedFrom.isPresent() && jobStatus.equals("FAILED")) {
      throw new IllegalStateException(
          "The jobs could not resume from "
              + resumedFrom.get()
              + " (a flag that shapes the jobs, such as --window or --parallelism, may have"
              + " changed since it was saved; the log file has Flink's reason). Run with --fresh"
              + " to start from scratch.");
    }
    continueStarting();

    Instant trafficStart = Instant.now();
    LiveTrafficSet traffic =
        noGenerator
            ? null
            : LiveTrafficSet.start(
                kafka.bootstrapServers(),
                new LiveTrafficSet.Topics(
                    options.topic(), checkoutOptions.topic(), ticketOptions.topic()),
                generator,
                trafficStart,
                this::register);

    continueStarting();
    dashboards =
        register(
            DashboardServer.start(
                host,
                dashboardPort,
                new DashboardQueries(
                    Dashboards.fromClasspath(),
                    clickHouse.httpUrl(),
                    LocalCredentials.READER,
                    credentials.readerPassword())));

    String bannerText =
        String.join(
            System.lineSeparator(),
            banner(
                new Endpoints(
                    kafka.bootstrapServers(),
                    clickHouse.httpUrl(),
                    clickHouse.jdbcUrl(),
                    job.webUiUrl()),
                jobStatus,
                List.of(options.topic(), checkoutOptions.topic(), ticketOptions.topic()),
                options,
                schema,
                trafficStart));
    System.out.println(bannerText);
    System.out.flush();
    // A person at a terminal keeps the addresses in view: the summary redraws the screen under
    // the banner. Redirected to a file or a pipe, it appends as a log.
    boolean terminal = System.console() != null;
    if (!summaryInterval.isZero()) {
      register(
              new LiveSummary(
                  clickHouse.jdbcUrl(),
                  jdbcCredentials(LocalCredentials.READER, credentials.readerPassword()),
                  summaryInterval,
                  checkoutOptions.inactivityTimeout(),
                  job::status,
                  traffic == null ? null : traffic::counts,
                  System.out,
                  terminal ? bannerText : null))
          .start();
    }
  }

  /** The alert stage of one job, or null with {@code --no-alerts}. */
  private Alerting alerting(
      KafkaOptions kafka, ClickHouseOptions clickHouse, RuntimeOptions runtime, Duration delay) {
    if (rules == null) {
      return null;
    }
    return alertFlags.options().alerting(kafka, clickHouse, runtime, delay, rules);
  }

  private static java.util.Properties jdbcCredentials(String user, String password) {
    java.util.Properties properties = new java.util.Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    return properties;
  }

  private <T extends AutoCloseable> T register(T service) {
    started.push(service);
    return service;
  }

  /**
   * Throws if a stop was requested while starting: what started is stopped, nothing more starts.
   */
  private void continueStarting() throws StopRequestedWhileStarting {
    if (stopRequested) {
      throw new StopRequestedWhileStarting();
    }
  }

  /** Ctrl-C or SIGTERM came while local mode was starting. */
  static final class StopRequestedWhileStarting extends Exception {
    private static final long serialVersionUID = 1L;

    StopRequestedWhileStarting() {
      super("stop requested while starting");
    }
  }

  /** Where the running services answer, as the banner prints them. */
  record Endpoints(
      String kafkaBootstrap, String clickHouseHttpUrl, String clickHouseJdbcUrl, String webUiUrl) {}

  /** The lines printed once everything runs: where to look, what runs, what to try. */
  List<String> banner(
      Endpoints endpoints,
      String jobStatus,
      List<String> topics,
      SurveyJobOptions options,
      MigrationResult schema,
      Instant trafficStart) {
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.add("CX Pulse local mode is up. Press Ctrl-C to stop.");
    lines.add(
        "  Kafka bootstrap   "
            + endpoints.kafkaBootstrap()
            + (endpoints.kafkaBootstrap().startsWith(host + ":")
                ? ""
                : " (always on loopback: --host applies to ClickHouse and the Flink web UI)"));
    lines.add(
        "  Topics            "
            + String.join(", ", topics)
            + " (in, Avro single-object encoding), "
            + options.deadLetterTopic()
            + " (dead letters)");
    lines.add(
        "  ClickHouse HTTP   "
            + endpoints.clickHouseHttpUrl()
            + onEveryInterface(endpoints.clickHouseHttpUrl()));
    lines.add(
        "  ClickHouse users  "
            + LocalCredentials.READER
            + " / "
            + credentials.readerPassword()
            + " (read-only: people, BI tools); "
            + LocalCredentials.WRITER
            + " (the jobs); both in "
            + credentials.file()
            + " (mode 0600)");
    lines.add("  ClickHouse JDBC   " + endpoints.clickHouseJdbcUrl());
    lines.add(
        "  Schema            version "
            + schema.schemaVersion()
            + (schema.applied().isEmpty()
                ? " (up to date)"
                : " (applied " + schema.applied().size() + " migration(s))"));
    lines.add(
        "  Flink web UI      " + endpoints.webUiUrl() + onEveryInterface(endpoints.webUiUrl()));
    if (dashboards != null) {
      lines.add(
          "  Dashboards        "
              + dashboards.url()
              + onEveryInterface(dashboards.url())
              + " (CX scores, checkout, support, operations; read-only)");
    }
    if (rules == null) {
      lines.add("  Alerts            off (--no-alerts)");
    } else {
      lines.add(
          "  Alerts            "
              + rules.rules().size()
              + " rules from "
              + rules.source()
              + " -> topic "
              + alertFlags.options().topic()
              + ", table cx_alerts (views cx_alerts_open, cx_alert_history)"
              + (alertFlags.options().hasWebhook() ? ", webhook" : "")
              + "; abandonment rules evaluate a window "
              + HumanDuration.format(inactivityTimeout.plus(CHECKOUT_ALERT_EXTRA_DELAY))
              + " after it ends, once its checkouts are decided");
    }
    lines.add(
        "  Job               "
            + LocalJobs.JOB_NAME
            + " (survey, checkout, tickets, driver split): "
            + jobStatus
            + ", parallelism "
            + parallelism
            + ", checkpoints every "
            + HumanDuration.format(checkpointInterval)
            + ", "
            + HumanDuration.format(options.eventTime().window())
            + " windows, checkouts abandoned after "
            + HumanDuration.format(inactivityTimeout)
            + " without a step");
    if (noGenerator) {
      lines.add("  Generator         off: produce your own events to the topics above");
    } else {
      lines.add(
          String.format(
              "  Generator         %s responses/s, %s checkouts/s, %s tickets/s, seed %d; per"
                  + " topic a bad record every %d and a duplicate every %d events",
              decimal(generator.rate()),
              decimal(generator.checkoutRate()),
              decimal(generator.ticketRate()),
              generator.seed(),
              generator.badRecordEvery(),
              generator.duplicateEvery()));
    }
    if (!noGenerator) {
      for (Incident incident : generator.incidents()) {
        Instant from = trafficStart.plus(generator.incidentStart()).truncatedTo(ChronoUnit.SECONDS);
        lines.add(
            "  Incident          "
                + incident
                + " from "
                + CLOCK.format(from)
                + " to "
                + CLOCK.format(from.plus(generator.incidentDuration()))
                + " UTC");
      }
    }
    if (!noGenerator) {
      lines.add(
          String.format(
              Locale.ROOT,
              "  Follow-ups        a survey with ticket_id for %.0f %% of tickets, 1-%d min after"
                  + " resolution -> cx_driver_split (%s windows)",
              100 * FollowUpSurveys.DEFAULT_SHARE,
              FollowUpSurveys.DEFAULT_MAX_DELAY.toMinutes(),
              HumanDuration.format(driverWindow)));
    }
    lines.add("  Data directory    " + dataDir());
    lines.add(
        "  Log file          "
            + logFile()
            + " (Flink, Kafka, ClickHouse and CX Pulse; only CX Pulse's warnings and errors show"
            + " here)");
    lines.add(
        "  Checkpoints       "
            + dataDir().resolve("checkpoints")
            + " (RocksDB state, incremental)");
    lines.add(
        "  State             "
            + resumedFrom
                .map(path -> "resumed from " + path)
                .orElse(fresh ? "new (--fresh)" : "new (no saved state in this data directory)")
            + "; Ctrl-C saves it for the next run");
    lines.add("  Try");
    lines.add(
        "    curl -u '"
            + LocalCredentials.READER
            + ":"
            + credentials.readerPassword()
            + "' '"
            + endpoints.clickHouseHttpUrl()
            + "' --data-binary \"SELECT bucket_start, channel, round(csat_pct, 1) AS csat,"
            + " round(nps, 1) AS nps, round(ces_mean, 2) AS ces FROM cx_survey_scores_minute"
            + " WHERE segment = 'all' ORDER BY bucket_start DESC, channel LIMIT 9 FORMAT"
            + " PrettyCompact\"");
    if (!summaryInterval.isZero()) {
      lines.add(
          "  A summary follows every "
              + HumanDuration.format(summaryInterval)
              + "; the first window closes at the end of the current minute.");
    }
    lines.add("");
    return lines;
  }

  /**
   * After a service's URL, with a wildcard {@code --host}: that the service listens on every
   * interface, and the URL another machine would use, by this machine's name (the URL itself names
   * {@code 127.0.0.1}: see {@link ListenHost}). Empty for any other host.
   */
  private String onEveryInterface(String url) {
    if (!ListenHost.isWildcard(host)) {
      return "";
    }
    String note = " (listening on all interfaces";
    try {
      URI local = URI.create(url);
      URI remote =
          new URI(
              local.getScheme(),
              null,
              InetAddress.getLocalHost().getHostName(),
              local.getPort(),
              local.getPath(),
              null,
              null);
      note += "; from another machine " + remote;
    } catch (UnknownHostException | URISyntaxException noName) {
      // This machine has no name to offer: the note says where it listens, nothing more.
    }
    return note + ")";
  }

  /**
   * The data directory, absolute: {@code --data-dir} resolved against the working directory (where
   * the user ran the command), else {@value #DEFAULT_DATA_DIR} in the CX Pulse directory ({@link
   * CxPulseHome}), where it has always been, whichever directory the command runs from.
   */
  Path dataDir() {
    return dataDir != null
        ? dataDir.toAbsolutePath()
        : CxPulseHome.get().resolve(DEFAULT_DATA_DIR).toAbsolutePath();
  }

  /** Where local mode logs: {@link LocalLog#file} in the data directory. */
  Path logFile() {
    return LocalLog.file(dataDir());
  }

  /** Stops what started, newest first: producers and readers before the stores they use. */
  synchronized void stopAll() {
    if (stopping) {
      return;
    }
    stopping = true;
    LOG.info("Stopping CX Pulse local mode");
    while (!started.isEmpty()) {
      AutoCloseable service = started.pop();
      try {
        service.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("Interrupted while stopping {}", service.getClass().getSimpleName());
      } catch (Exception e) {
        LOG.warn("Failed to stop {}", service.getClass().getSimpleName(), e);
      }
    }
    stopped.countDown();
    LOG.info("CX Pulse local mode stopped");
  }

  private static String decimal(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private void validate() {
    List<String> problems = new ArrayList<>();
    if (parallelism < 1) {
      problems.add("--parallelism must be at least 1");
    }
    if (partitions < 1) {
      problems.add("--partitions must be at least 1");
    }
    problems.addAll(generator.problems());
    if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
      problems.add("--checkpoint-interval must be positive");
    }
    if (driverWindow.isNegative() || driverWindow.isZero()) {
      problems.add("--driver-window must be positive");
    }
    if (driverLateness.isNegative()) {
      problems.add("--driver-lateness must not be negative");
    }
    if (summaryInterval.isNegative()) {
      problems.add("--summary-interval must not be negative");
    }
    if (!problems.isEmpty()) {
      throw new CommandLine.ParameterException(spec.commandLine(), String.join("; ", problems));
    }
  }

  /** Checks every port before anything starts; reports each one taken. */
  private boolean portsFree() {
    List<Runnable> checks =
        List.of(
            () -> requirePortFree(host, clickHousePort, "ClickHouse HTTP", "--clickhouse-port"),
            () -> requirePortFree("127.0.0.1", kafkaPort, "Kafka", "--kafka-port"),
            () -> requirePortFree(host, flinkUiPort, "the Flink web UI", "--flink-ui-port"),
            () -> requirePortFree(host, dashboardPort, "the dashboards", "--dashboard-port"));
    boolean free = true;
    for (Runnable check : checks) {
      try {
        check.run();
      } catch (PortInUseException e) {
        spec.commandLine().getErr().println("cx-pulse: " + e.getMessage());
        free = false;
      }
    }
    spec.commandLine().getErr().flush();
    return free;
  }

  /**
   * Fails with a message naming the flag to change if {@code port} cannot be bound on {@code host};
   * port 0 (any free port) always passes.
   */
  static void requirePortFree(String host, int port, String service, String flag) {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new PortInUseException(
          "port "
              + port
              + " on "
              + host
              + " is not available for "
              + service
              + " ("
              + e.getMessage()
              + "). Stop what uses it (another `cx-pulse run`?) or choose another port with "
              + flag
              + ".");
    }
  }

  /** A port the local mode needs is taken. */
  static final class PortInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PortInUseException(String message) {
      super(message);
    }
  }

  /** A duration as {@link DurationConverter} reads it, or a plain {@code 0} for none. */
  static final class OptionalDurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return value.strip().equals("0") ? Duration.ZERO : new DurationConverter().convert(value);
    }
  }
}
