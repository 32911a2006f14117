package io.cxpulse.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.cxpulse.events.CheckoutEvent;
import io.cxpulse.events.DeadLetter;
import io.cxpulse.events.SurveyResponse;
import io.cxpulse.events.TicketEvent;
import io.cxpulse.jobs.aggregate.WindowKey;
import io.cxpulse.jobs.alerts.Alert;
import io.cxpulse.jobs.alerts.AlertRules;
import io.cxpulse.jobs.alerts.AlertSinks;
import io.cxpulse.jobs.alerts.AlertState;
import io.cxpulse.jobs.alerts.Alerting;
import io.cxpulse.jobs.alerts.MetricRow;
import io.cxpulse.jobs.alerts.MetricWindow;
import io.cxpulse.jobs.alerts.RuleEvaluation;
import io.cxpulse.jobs.alerts.SeriesRow;
import io.cxpulse.jobs.checkout.CheckoutComponents;
import io.cxpulse.jobs.checkout.CheckoutJob;
import io.cxpulse.jobs.checkout.CheckoutJobOptions;
import io.cxpulse.jobs.checkout.CheckoutOutcome;
import io.cxpulse.jobs.checkout.CheckoutWindowRow;
import io.cxpulse.jobs.drivers.DriverOutcome;
import io.cxpulse.jobs.drivers.DriverSplitJob;
import io.cxpulse.jobs.drivers.DriverSplitJobOptions;
import io.cxpulse.jobs.drivers.DriverWindowRow;
import io.cxpulse.jobs.drivers.JoinedSurvey;
import io.cxpulse.jobs.pipeline.ClickHouseSinks;
import io.cxpulse.jobs.pipeline.DecodedEvent;
import io.cxpulse.jobs.pipeline.GateOutcome;
import io.cxpulse.jobs.pipeline.JobLauncher;
import io.cxpulse.jobs.pipeline.JobProgress;
import io.cxpulse.jobs.pipeline.RawRecord;
import io.cxpulse.jobs.survey.SurveyAccumulator;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.survey.SurveyWindowRow;
import io.cxpulse.jobs.tickets.TicketComponents;
import io.cxpulse.jobs.tickets.TicketJob;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import io.cxpulse.jobs.tickets.TicketOutcome;
import io.cxpulse.jobs.tickets.TicketWindowRow;
import io.cxpulse.metrics.AbandonmentComponents;
import io.cxpulse.metrics.CesComponents;
import io.cxpulse.metrics.CsatComponents;
import io.cxpulse.metrics.LogHistogram;
import io.cxpulse.metrics.NpsComponents;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.SerializerFactory;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.AbstractUdfStreamOperator;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.transformations.OneInputTransformation;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Nothing the jobs send between operators or keep in state is serialised with Kryo: Kryo is slow,
 * and its bytes in a savepoint do not survive a change of the class (no schema evolution), so a
 * type that falls back to it silently makes state unrestorable.
 *
 * <p>Two views of the same rule: the four production job graphs walked edge by edge, key by key and
 * state descriptor by state descriptor (everything reachable from the graph, whatever types are
 * added later), and each type by name, with Flink's own {@link PojoTestUtils} where it is a POJO or
 * record.
 */
class NoKryoTest {

  /** Flink's serializer configuration with the Kryo fallback switched off: generic types throw. */
  private static SerializerConfigImpl withoutGenericTypes() {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    return config;
  }

  /** Creates serializers as a job with generic types disabled does (state descriptors use it). */
  private static final SerializerFactory WITHOUT_GENERIC_TYPES =
      new SerializerFactory() {
        @Override
        public <T> TypeSerializer<T> createSerializer(TypeInformation<T> type) {
          return type.createSerializer(withoutGenericTypes());
        }
      };

  @Test
  void noEdgeKeyOrStateOfTheFourProductionJobsIsAGenericType() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    defineAllFourJobs(env);
    List<Transformation<?>> transformations = reachable(env.getTransformations());

    List<String> generic = new ArrayList<>();
    int states = 0;
    for (Transformation<?> transformation : transformations) {
      String where = transformation.getName() + " (" + transformation.getUid() + ")";
      check(transformation.getOutputType(), "output of " + where, generic);
      if (transformation instanceof OneInputTransformation<?, ?> one
          && one.getStateKeyType() != null) {
        check(one.getStateKeyType(), "key of " + where, generic);
      }
      if (transformation instanceof TwoInputTransformation<?, ?, ?> two
          && two.getStateKeyType() != null) {
        check(two.getStateKeyType(), "key of " + where, generic);
      }
      for (StateDescriptor<?, ?> state : stateDescriptors(transformation)) {
        states++;
        try {
          state.initializeSerializerUnlessSet(WITHOUT_GENERIC_TYPES);
        } catch (UnsupportedOperationException e) {
          generic.add("state " + state.getName() + " of " + where + ": " + e.getMessage());
        }
      }
    }

    assertThat(generic).as("generic types (Kryo) in the job graphs").isEmpty();
    // The walk reaches what it claims: every stateful stage of the four jobs and their alert
    // stages (dedup, pre-aggregate, merge, progress, session, lifecycle, join, alert).
    assertThat(transformations).hasSizeGreaterThan(60);
    assertThat(states).isGreaterThanOrEqualTo(30);
  }

  /** The jobs run with the Kryo fallback off, so a regression fails the job, not a savepoint. */
  @Test
  void theFourProductionJobsBuildTheirGraphAsTheyRunWithGenericTypesDisabled() {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            JobLauncher.withoutGenericTypes(new Configuration()));
    assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
    defineAllFourJobs(env);

    // Building the stream graph creates every edge's serializer; a generic type throws here.
    assertThatCode(env::getStreamGraph).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(
      classes = {
        // window rows and their components
        WindowKey.class,
        SurveyWindowRow.class,
        SurveyAccumulator.class,
        CheckoutWindowRow.class,
        CheckoutComponents.class,
        TicketWindowRow.class,
        TicketComponents.class,
        DriverWindowRow.class,
        // facts
        CheckoutOutcome.class,
        TicketOutcome.class,
        DriverOutcome.class,
        RawRecord.class,
        // alerting
        MetricWindow.Csat.class,
        MetricWindow.Nps.class,
        MetricWindow.Ces.class,
        MetricWindow.Abandonment.class,
        MetricWindow.FirstResponseTimes.class,
        MetricWindow.SlaBreaches.class,
        MetricRow.class,
        SeriesRow.class,
        AlertState.class,
        Alert.class,
        RuleEvaluation.class,
        // progress
        JobProgress.Row.class
      })
  void isSerialisedAsAPojoWithoutKryo(Class<?> type) {
    PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
  }

  static Stream<MetricWindow> metricWindows() {
    return Stream.of(
        MetricWindow.csat(CsatComponents.of(3, 5)),
        MetricWindow.nps(NpsComponents.of(4, 2, 1)),
        MetricWindow.ces(new CesComponents().add(2).add(3).add(5)),
        MetricWindow.abandonment(AbandonmentComponents.of(10, 6, 3)),
        MetricWindow.firstResponseTimes(new LogHistogram().add(1_000).add(120_000).add(0)),
        MetricWindow.slaBreaches(7, 2));
  }

  /**
   * The metric components have no bean getters and setters ({@code io.cxpulse.metrics} stays free
   * of Flink); Flink's POJO serializer still writes and reads every field of them, the final CES
   * histogram included.
   */
  @ParameterizedTest
  @MethodSource("metricWindows")
  void aMetricWindowSurvivesFlinksSerializer(MetricWindow window) throws Exception {
    TypeSerializer<MetricWindow> serializer =
        TypeInformation.of(MetricWindow.class).createSerializer(withoutGenericTypes());
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(window, out);
    MetricWindow read = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

    assertThat(read).isEqualTo(window);
    assertThat(read.value()).isEqualTo(window.value());
    assertThat(read.samples()).isEqualTo(window.samples()).isPositive();
    assertThat(serializer.copy(window)).isEqualTo(window);
  }

  /**
   * The metric window's serializer is written by hand ({@code MetricWindowTypeInfo}): its snapshot,
   * as a checkpoint stores it, restores an equal serializer that is compatible as is and reads what
   * the first one wrote.
   */
  @Test
  void theMetricWindowSerializersSnapshotRestoresItAndReadsItsBytes() throws Exception {
    TypeSerializer<MetricWindow> serializer =
        TypeInformation.of(MetricWindow.class).createSerializer(withoutGenericTypes());
    DataOutputSerializer snapshotBytes = new DataOutputSerializer(256);
    TypeSerializerSnapshot.writeVersionedSnapshot(
        snapshotBytes, serializer.snapshotConfiguration());
    TypeSerializerSnapshot<MetricWindow> read =
        TypeSerializerSnapshot.readVersionedSnapshot(
            new DataInputDeserializer(snapshotBytes.getCopyOfBuffer()),
            getClass().getClassLoader());

    assertThat(
            serializer.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs())
        .isTrue();
    TypeSerializer<MetricWindow> restored = read.restoreSerializer();
    assertThat(restored).isEqualTo(serializer);
    DataOutputSerializer out = new DataOutputSerializer(64);
    List<MetricWindow> windows = metricWindows().toList();
    for (MetricWindow window : windows) {
      serializer.serialize(window, out);
    }
    DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
    for (MetricWindow window : windows) {
      assertThat(restored.deserialize(in)).isEqualTo(window);
    }
  }

  static Stream<TypeInformation<?>> genericOrAvroTypes() {
    return Stream.of(
        DecodedEvent.typeInfo(SurveyResponse.class),
        DecodedEvent.typeInfo(CheckoutEvent.class),
        DecodedEvent.typeInfo(TicketEvent.class),
        GateOutcome.typeInfo(SurveyResponse.class),
        GateOutcome.typeInfo(CheckoutEvent.class),
        GateOutcome.typeInfo(TicketEvent.class),
        JoinedSurvey.typeInfo());
  }

  /** Generic holders of Avro events: POJOs whose event field Flink serialises as Avro. */
  @ParameterizedTest
  @MethodSource("genericOrAvroTypes")
  void genericHoldersOfAvroEventsAreSerialisedWithoutKryo(TypeInformation<?> type) {
    assertThatCode(() -> type.createSerializer(withoutGenericTypes()))
        .as(type.toString())
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(
      classes = {
        DeadLetter.class,
        SurveyResponse.class,
        CheckoutEvent.class,
        TicketEvent.class,
        io.cxpulse.events.Alert.class
      })
  void avroRecordsAreSerialisedByAvro(Class<?> type) {
    TypeSerializer<?> serializer = TypeInformation.of(type).createSerializer(withoutGenericTypes());
    assertThat(serializer).isInstanceOf(AvroSerializer.class);
  }

  /** The four jobs as local mode runs them: production sources and sinks, alerting on. */
  private static void defineAllFourJobs(StreamExecutionEnvironment env) {
    SurveyJobOptions survey = SurveyJobOptions.defaults();
    CheckoutJobOptions checkout = CheckoutJobOptions.defaults();
    TicketJobOptions tickets = TicketJobOptions.defaults();
    DriverSplitJobOptions drivers = DriverSplitJobOptions.defaults();
    SurveyJob.defineWorkflow(
        env,
        survey,
        SurveyJob.kafkaInput(survey),
        SurveyJob.productionSinks(survey)
            .withAlerting(alerting(survey.kafka().bootstrapServers())));
    CheckoutJob.defineWorkflow(
        env,
        checkout,
        CheckoutJob.kafkaInput(checkout),
        CheckoutJob.productionSinks(checkout)
            .withAlerting(alerting(checkout.kafka().bootstrapServers())));
    TicketJob.defineWorkflow(
        env,
        tickets,
        TicketJob.kafkaInput(tickets),
        TicketJob.productionSinks(tickets)
            .withAlerting(alerting(tickets.kafka().bootstrapServers())));
    DriverSplitJob.defineWorkflow(
        env,
        drivers,
        DriverSplitJob.ticketSource(drivers),
        DriverSplitJob.surveySource(drivers),
        DriverSplitJob.productionSinks(drivers));
  }

  private static Alerting alerting(String bootstrapServers) {
    JdbcConnectionOptions connection =
        ClickHouseSinks.connectionOptions("jdbc:clickhouse://localhost:8123/default", "u", "");
    JdbcExecutionOptions execution = ClickHouseSinks.executionOptions(10, Duration.ofSeconds(1));
    return new Alerting(
        AlertRules.defaults(),
        Duration.ZERO,
        AlertSinks.production(bootstrapServers, "cx.alerts", connection, execution, null));
  }

  private static void check(TypeInformation<?> type, String where, List<String> generic) {
    try {
      type.createSerializer(withoutGenericTypes());
    } catch (UnsupportedOperationException e) {
      generic.add(where + ": " + e.getMessage());
    }
  }

  /** The sinks' and operators' transformations and everything upstream of them. */
  private static List<Transformation<?>> reachable(List<Transformation<?>> roots) {
    Set<Transformation<?>> all = new LinkedHashSet<>();
    for (Transformation<?> root : roots) {
      all.addAll(root.getTransitivePredecessors());
    }
    return List.copyOf(all);
  }

  /**
   * The state descriptors an operator holds: those of its user function or of the operator itself,
   * found in their fields and the fields of the project's objects they hold.
   */
  private static List<StateDescriptor<?, ?>> stateDescriptors(Transformation<?> transformation) {
    StreamOperatorFactory<?> factory =
        transformation instanceof OneInputTransformation<?, ?> one
            ? one.getOperatorFactory()
            : transformation instanceof TwoInputTransformation<?, ?, ?> two
                ? two.getOperatorFactory()
                : null;
    if (!(factory instanceof SimpleOperatorFactory<?> simple)) {
      return List.of();
    }
    Object operator = simple.getOperator();
    Object root =
        operator instanceof AbstractUdfStreamOperator<?, ?> udf ? udf.getUserFunction() : operator;
    List<StateDescriptor<?, ?>> found = new ArrayList<>();
    collect(root, found, Collections.newSetFromMap(new IdentityHashMap<>()));
    return found;
  }

  private static void collect(Object object, List<StateDescriptor<?, ?>> found, Set<Object> seen) {
    if (object == null || !seen.add(object)) {
      return;
    }
    if (object instanceof StateDescriptor<?, ?> descriptor) {
      found.add(descriptor);
      return;
    }
    if (!object.getClass().getName().startsWith("io.cxpulse.")) {
      return;
    }
    for (Class<?> c = object.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      if (!c.getName().startsWith("io.cxpulse.")) {
        continue;
      }
      for (Field field : c.getDeclaredFields()) {
        if (field.getType().isPrimitive()) {
          continue;
        }
        field.setAccessible(true);
        try {
          collect(
              Modifier.isStatic(field.getModifiers()) ? field.get(null) : field.get(object),
              found,
              seen);
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
  }
}
