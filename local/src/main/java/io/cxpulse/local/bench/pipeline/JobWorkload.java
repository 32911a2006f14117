package io.cxpulse.local.bench.pipeline;

import io.cxpulse.events.DeadLetter;
import io.cxpulse.jobs.MetricJobOptions;
import io.cxpulse.jobs.MetricSinks;
import io.cxpulse.jobs.MetricStream;
import io.cxpulse.jobs.generator.SurveyScenario.Fate;
import io.cxpulse.jobs.pipeline.ClickHouseOptions;
import io.cxpulse.jobs.pipeline.ClickHouseTable;
import io.cxpulse.jobs.pipeline.DeadLetterOutput;
import io.cxpulse.jobs.pipeline.DecodeAndValidateFunction;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.DurableState;
import io.cxpulse.jobs.pipeline.EventDescriptor;
import io.cxpulse.jobs.pipeline.EventGateOptions;
import io.cxpulse.jobs.pipeline.EventTimeOptions;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.pipeline.RuntimeOptions;
import io.cxpulse.jobs.validation.EventValidator;
import io.cxpulse.jobs.validation.RejectReason;
import io.cxpulse.local.bench.ClickHouseJdbcBenchmark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.api.config.TableConfigOptions;

/**
 * What the benchmark of every metric job shares: the pre-generated input and expectation, the
 * pass-through (a), the job's graph with discarding sinks (b), the end-to-end run (d), the window
 * row sink alone, and the checks of each; a job's workload adds its scenario, its job's API, its
 * window rows as {@link WindowResult}s and its Flink SQL (c).
 *
 * <p>Every job runs with production's options ({@link EventTimeOptions#DEFAULTS}, {@link
 * EventGateOptions#DEFAULTS}) but where it reads and writes; its scenario is generated for the same
 * options. No scenario has TOO_LATE records: whether one is dropped depends on how far the
 * watermark got before it was read, which only a producer pacing itself by the job's progress
 * controls, and a benchmark reads as fast as it can. Every other fate is certain, so every run's
 * result is exact.
 *
 * @param <E> the job's event type
 * @param <R> the job's window row type
 * @param <O> the job's options
 */
public abstract class JobWorkload<E extends SpecificRecord, R, O extends MetricJobOptions>
    implements Workload {

  /** The jobs' options but where they read and write: production's defaults. */
  protected static final EventTimeOptions EVENT_TIME = EventTimeOptions.DEFAULTS;

  protected static final EventGateOptions GATE = EventGateOptions.DEFAULTS;

  /** The input topic: of this workload alone, as the engines serve every workload of a run. */
  private final String topic;

  private final String deadLetterTopic;
  private final InMemoryInput<RawRecord> input;
  private final List<String> keys;
  private final int events;
  private final Map<String, WindowResult> expectedRows;
  private final Map<String, Long> expectedDeadLetters;
  private boolean produced;

  /** The expected rows, what the sink alone writes. */
  private final InMemoryInput<R> expectedRowInput;

  // Held until close, whether or not the run that made them got as far as its check.
  private final List<Path> temporaryDirectories = new ArrayList<>();

  /**
   * @param input the records to read, in order, with their Kafka keys
   * @param events the generated events among them (without duplicates and bad records)
   * @param expectedRows the window rows the job must write, with the components it must find
   * @param fates how many records end in each fate
   *     <p>Calls {@link #reduction()} and {@link #rowClass()}, which therefore must not depend on
   *     the subclass's fields.
   */
  protected JobWorkload(Input input, int events, List<R> expectedRows, Map<Fate, Long> fates) {
    this.topic = input.topic;
    this.deadLetterTopic = topic + ".dead-letters";
    this.input = new InMemoryInput<>(input.records, TypeInformation.of(RawRecord.class));
    this.keys = List.copyOf(input.keys);
    this.events = events;
    Map<String, WindowResult> rows = new HashMap<>();
    for (R row : expectedRows) {
      WindowResult result = result(row);
      rows.put(result.key(), result);
    }
    this.expectedRows = rows;
    Map<String, Long> deadLetters = new HashMap<>();
    fates.forEach(
        (fate, count) -> {
          if (!fate.isCounted()) {
            deadLetters.merge(fate.rejectReason().name(), count, Long::sum);
          }
        });
    this.expectedDeadLetters = deadLetters;
    this.expectedRowInput = new InMemoryInput<>(expectedRows, TypeInformation.of(rowClass()));
  }

  /** The input records of a workload as they are generated: value, Kafka timestamp and key. */
  protected static final class Input {
    private final String topic;
    private final List<RawRecord> records = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();

    /** An input for a new topic named after {@code job}. */
    protected Input(String job) {
      this.topic = "bench." + job + "." + UUID.randomUUID();
    }

    /** The topic the records are from and the end-to-end run produces them to. */
    protected String topic() {
      return topic;
    }

    /** Appends a record, as Kafka would give it to the job: the next offset of partition 0. */
    protected void add(byte[] value, Instant timestamp, String key) {
      records.add(new RawRecord(topic, 0, records.size(), timestamp.toEpochMilli(), value));
      keys.add(key);
    }
  }

  // --- what each job provides ---

  /** The job's declaration: its event type, validator, rows, table and graph come from it. */
  protected abstract MetricStream<O, E, ?, ?, R> stream();

  /** The job's event type, as its shared pipeline functions take it. */
  protected final EventDescriptor<E> eventType() {
    return stream().events();
  }

  /** The job's validator, with production's bounds. */
  protected final EventValidator<E> validator() {
    return stream().validator().apply(GATE.bounds());
  }

  /** The job's window row class (a Flink POJO). */
  protected final Class<R> rowClass() {
    return stream().rows().type().getTypeClass();
  }

  /** The job's window row table: the sink alone writes into it, (d) reads it back. */
  protected final ClickHouseTable<R> table() {
    return stream().rows().table();
  }

  /** The job's options, production's defaults but for where it reads and writes. */
  protected abstract O options(
      KafkaOptions kafka, ClickHouseOptions clickHouse, String groupId, RuntimeOptions runtime);

  /** {@code defineWorkflow} of the job, reading {@code source}. */
  private void defineWorkflow(
      StreamExecutionEnvironment env,
      O options,
      Source<RawRecord, ?, ?> source,
      MetricSinks<R> sinks) {
    stream().defineWorkflow(env, options, source, sinks);
  }

  /** The job as production runs it: configured, reading Kafka, its production sinks. */
  private void defineProductionWorkflow(StreamExecutionEnvironment env, O options) {
    stream().configure(env, options);
    stream()
        .defineWorkflow(
            env, options, stream().kafkaInput(options), stream().productionSinks(options));
  }

  /** How a window row is reduced to what is checked; serialisable, for {@link LatestRowsSink}. */
  protected abstract LatestRowsSink.Reduction<R> reduction();

  /**
   * The latest version of every row of {@link #table()}, reduced as {@link #reduction()} reduces
   * the job's rows.
   */
  protected abstract Map<String, WindowResult> windowTable(Connection connection)
      throws SQLException;

  // --- the runs ---

  @Override
  public int records() {
    return input.size();
  }

  @Override
  public int events() {
    return events;
  }

  @Override
  public int windowRows() {
    return expectedRows.size();
  }

  @Override
  public Run passThrough(int parallelism) {
    StreamExecutionEnvironment env = BenchCluster.environment(parallelism);
    TallySink<DecodedEvent<E>> admitted = TallySink.counting("admitted");
    TallySink<DeadLetter> rejected = deadLetterTally();
    SingleOutputStreamOperator<DecodedEvent<E>> decoded = decode(env);
    decoded.sinkTo(admitted).name("discard admitted " + job() + " events");
    decoded.getSideOutput(DeadLetterOutput.TAG).sinkTo(rejected).name("discard dead letters");
    return new Run(
        env,
        () -> {
          Map<String, Long> gateRejections = gateRejections();
          long rejectedCount = gateRejections.values().stream().mapToLong(Long::longValue).sum();
          List<String> problems = new ArrayList<>();
          problems.addAll(
              Expectations.counts(
                  "admitted", Map.of("admitted", records() - rejectedCount), release(admitted)));
          problems.addAll(Expectations.counts("dead letters", gateRejections, release(rejected)));
          return problems;
        });
  }

  @Override
  public Run jobGraph(int parallelism) {
    StreamExecutionEnvironment env = BenchCluster.environment(parallelism);
    LatestRowsSink<R> rows = new LatestRowsSink<>(reduction());
    TallySink<DeadLetter> deadLetters = deadLetterTally();
    // The graph alone: Kafka and ClickHouse options unused, no checkpoints (nothing to flush).
    defineWorkflow(
        env,
        options(
            KafkaOptions.DEFAULTS, ClickHouseOptions.DEFAULTS, "unused", RuntimeOptions.DEFAULTS),
        input.source(),
        new MetricSinks<>(rows, deadLetters, new DiscardingSink<>()));
    return new Run(
        env,
        () -> {
          List<String> problems = new ArrayList<>();
          problems.addAll(Expectations.windowRows(expectedRows, rows.release()));
          problems.addAll(
              Expectations.counts("dead letters", expectedDeadLetters, release(deadLetters)));
          return problems;
        });
  }

  @Override
  public Run endToEnd(Engines engines, int parallelism, Duration checkpointInterval)
      throws Exception {
    if (!produced) {
      engines.produce(topic, input.records(), keys);
      engines.createTopic(deadLetterTopic);
      produced = true;
    }
    engines.truncate(table().name(), "cx_dead_letters", "cx_job_progress");
    Path checkpoints = Files.createTempDirectory("cx-pulse-bench-checkpoints-");
    temporaryDirectories.add(checkpoints);
    // Production's state (docker-compose.yml, local mode): RocksDB, incremental checkpoints.
    StreamExecutionEnvironment env = BenchCluster.environment(parallelism);
    env.configure(DurableState.configure(new Configuration(), checkpoints));
    O options =
        options(
            new KafkaOptions(engines.bootstrapServers()),
            new ClickHouseOptions(engines.jdbcUrl(), ClickHouseOptions.DEFAULT_USER, ""),
            "bench-" + job() + "-" + UUID.randomUUID(),
            new RuntimeOptions(
                checkpointInterval,
                parallelism,
                true,
                RuntimeOptions.DEFAULT_JDBC_BATCH_SIZE,
                RuntimeOptions.DEFAULT_JDBC_FLUSH_INTERVAL));
    defineProductionWorkflow(env, options);
    return new Run(
        env,
        () -> {
          try (Connection connection = engines.connection()) {
            List<String> problems = new ArrayList<>();
            problems.addAll(Expectations.windowRows(expectedRows, windowTable(connection)));
            problems.addAll(
                Expectations.counts(
                    "dead letters in ClickHouse",
                    expectedDeadLetters,
                    deadLetterTable(connection)));
            return problems;
          }
        });
  }

  @Override
  public Run sinkAlone(Engines engines, int parallelism) throws Exception {
    engines.truncate(table().name());
    StreamExecutionEnvironment env = BenchCluster.environment(parallelism);
    ClickHouseOptions clickHouse =
        new ClickHouseOptions(engines.jdbcUrl(), ClickHouseOptions.DEFAULT_USER, "");
    env.fromSource(
            expectedRowInput.source(), WatermarkStrategy.noWatermarks(), job() + " window rows")
        .sinkTo(
            table()
                .sink(
                    clickHouse.connectionOptions(), RuntimeOptions.DEFAULTS.jdbcExecutionOptions()))
        .name(job() + " window rows sink");
    return new Run(
        env,
        () -> {
          try (Connection connection = engines.connection()) {
            return Expectations.windowRows(expectedRows, windowTable(connection));
          }
        });
  }

  @Override
  public void close() {
    input.close();
    expectedRowInput.close();
    for (Path directory : temporaryDirectories) {
      try {
        ClickHouseJdbcBenchmark.deleteRecursively(directory);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  // --- for the jobs' (c) runs and checks ---

  /** The expected window rows, reduced. */
  protected Map<String, WindowResult> expectedRows() {
    return expectedRows;
  }

  /** The job's decode and validate step on the in-memory input: what (a) and (c) start from. */
  protected SingleOutputStreamOperator<DecodedEvent<E>> decode(StreamExecutionEnvironment env) {
    return env.fromSource(
            input.source(),
            WatermarkStrategy.noWatermarks(),
            job() + " events source",
            TypeInformation.of(RawRecord.class))
        .process(
            new DecodeAndValidateFunction<>(eventType(), validator()),
            DecodedEvent.typeInfo(eventType().type()))
        .name("decode and validate " + job() + " events");
  }

  /**
   * A table environment for the (c) runs: UTC, and idle state kept as long as the job's
   * de-duplication keeps an event id (Flink SQL's de-duplication has no other expiry).
   */
  protected static StreamTableEnvironment tables(StreamExecutionEnvironment env) {
    StreamTableEnvironment tables = StreamTableEnvironment.create(env);
    tables.getConfig().set(TableConfigOptions.LOCAL_TIME_ZONE, "UTC");
    tables.getConfig().set(ExecutionConfigOptions.IDLE_STATE_RETENTION, GATE.dedupTtl());
    return tables;
  }

  /**
   * Flink SQL's documented de-duplication of {@code view}: its first row per event_id by processing
   * time; the view must have {@code event_id} and {@code proctime} columns.
   */
  protected static String firstRows(String view, String columns) {
    return "SELECT "
        + columns
        + " FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY proctime) AS n"
        + " FROM "
        + view
        + ") WHERE n = 1";
  }

  /** {@code duration} as a Flink SQL interval literal, to the millisecond. */
  protected static String interval(Duration duration) {
    return String.format(
        Locale.ROOT,
        "INTERVAL '%d %02d:%02d:%02d.%03d' DAY TO SECOND(3)",
        duration.toDays(),
        duration.toHoursPart(),
        duration.toMinutesPart(),
        duration.toSecondsPart(),
        duration.toMillisPart());
  }

  /** A sink counting dead letters per reason. */
  protected static TallySink<DeadLetter> deadLetterTally() {
    return new TallySink<>(deadLetter -> deadLetter.getReason().name());
  }

  /** The counts of {@code sink}; forgets them. */
  protected static Map<String, Long> release(TallySink<?> sink) {
    Map<String, Long> counts = sink.counts();
    sink.release();
    return counts;
  }

  /** The expected dead letters of the decode and validate step alone (no de-duplication). */
  protected Map<String, Long> gateRejections() {
    Map<String, Long> gate = new HashMap<>();
    expectedDeadLetters.forEach(
        (reason, count) -> {
          if (DecodeAndValidateFunction.REASONS.contains(RejectReason.valueOf(reason))) {
            gate.put(reason, count);
          }
        });
    return gate;
  }

  /**
   * The segment of a record of {@code id} (the event, checkout or ticket it belongs to) when the
   * generator's four segments are split into {@code segments}: each one into {@code segments / 4}
   * evenly by {@code id}, e.g. {@code vip-017}; the segment itself at 4.
   *
   * @throws IllegalArgumentException if {@code segments} is not a multiple of 4
   */
  protected static String segment(String segment, String id, int segments) {
    if (segments < 4 || segments % 4 != 0) {
      throw new IllegalArgumentException(
          "segments must be a multiple of 4 (the generators' four, split evenly): " + segments);
    }
    if (segments == 4) {
      return segment;
    }
    int parts = segments / 4;
    return String.format(
        Locale.ROOT,
        "%s-%0" + String.valueOf(parts - 1).length() + "d",
        segment,
        Math.floorMod(id.hashCode(), parts));
  }

  /** Adds {@code value} to the component {@code name}. */
  protected static void add(SortedMap<String, Long> components, String name, long value) {
    components.merge(name, value, Long::sum);
  }

  /** Adds a histogram's counts as components {@code name.bucket.<index>} and its sum. */
  protected static void addHistogram(
      SortedMap<String, Long> components, String name, int[] buckets, long[] counts, long sum) {
    for (int i = 0; i < buckets.length; i++) {
      add(components, name + ".bucket." + buckets[i], counts[i]);
    }
    add(components, name + ".sum_ms", sum);
  }

  /** Adds parallel key and value arrays as components {@code name.<key>}. */
  protected static void addEntries(
      SortedMap<String, Long> components, String name, String[] keys, long[] values) {
    for (int i = 0; i < keys.length; i++) {
      add(components, name + "." + keys[i], values[i]);
    }
  }

  /** A ClickHouse array column as longs, whatever the driver's element type. */
  protected static long[] longs(ResultSet rs, String column) throws SQLException {
    Object array = rs.getArray(column).getArray();
    long[] values = new long[Array.getLength(array)];
    for (int i = 0; i < values.length; i++) {
      values[i] = ((Number) Array.get(array, i)).longValue();
    }
    return values;
  }

  /** A ClickHouse array column as ints. */
  protected static int[] ints(ResultSet rs, String column) throws SQLException {
    long[] values = longs(rs, column);
    int[] ints = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      ints[i] = Math.toIntExact(values[i]);
    }
    return ints;
  }

  /** A ClickHouse {@code Array(String)} column. */
  protected static String[] strings(ResultSet rs, String column) throws SQLException {
    Object array = rs.getArray(column).getArray();
    String[] values = new String[Array.getLength(array)];
    for (int i = 0; i < values.length; i++) {
      values[i] = String.valueOf(Array.get(array, i));
    }
    return values;
  }

  /** Runs {@code query} and reduces each row {@code read} makes of it, by key. */
  protected Map<String, WindowResult> readRows(
      Connection connection, String query, RowReader<R> read) throws SQLException {
    Map<String, WindowResult> rows = new HashMap<>();
    LatestRowsSink.Reduction<R> reduce = reduction();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(query)) {
      while (rs.next()) {
        WindowResult result = reduce.of(read.read(rs));
        rows.put(result.key(), result);
      }
    }
    return rows;
  }

  /** Makes a window row of the current row of a result set. */
  @FunctionalInterface
  protected interface RowReader<R> {
    R read(ResultSet rs) throws SQLException;
  }

  /** The window start of a row read with {@code toUnixTimestamp(window_start) AS start_epoch}. */
  protected static Instant windowStart(ResultSet rs) throws SQLException {
    return Instant.ofEpochSecond(rs.getLong("start_epoch"));
  }

  private WindowResult result(R row) {
    return reduction().of(row);
  }

  /** Dead letters per reason in {@code cx_dead_letters}, one per input record. */
  private Map<String, Long> deadLetterTable(Connection connection) throws SQLException {
    Map<String, Long> counts = new HashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT reason, count() FROM cx_dead_letters FINAL WHERE source_topic = '"
                    + topic
                    + "' GROUP BY reason")) {
      while (rs.next()) {
        counts.put(rs.getString(1), rs.getLong(2));
      }
    }
    return counts;
  }
}
