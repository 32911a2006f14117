package io.cxpulse.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cxpulse.jobs.alerts.AlertOptions;
import io.cxpulse.jobs.checkout.CheckoutJob;
import io.cxpulse.jobs.checkout.CheckoutJobOptions;
import io.cxpulse.jobs.drivers.DriverSplitJob;
import io.cxpulse.jobs.drivers.DriverSplitJobOptions;
import io.cxpulse.jobs.generator.live.GenerateCommand;
import io.cxpulse.jobs.generator.live.TrafficFlags;
import io.cxpulse.jobs.pipeline.KafkaOptions;
import io.cxpulse.jobs.sql.MigrateCommand;
import io.cxpulse.jobs.sql.Migration;
import io.cxpulse.jobs.sql.Migrations;
import io.cxpulse.jobs.survey.SurveyJob;
import io.cxpulse.jobs.survey.SurveyJobOptions;
import io.cxpulse.jobs.tickets.TicketJob;
import io.cxpulse.jobs.tickets.TicketJobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.flink.client.cli.CliFrontendParser;
import org.apache.flink.client.cli.DefaultCLI;
import org.apache.flink.client.cli.ProgramOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine.ParseResult;

/**
 * docker-compose.yml cannot run here (no Docker), so this test checks what can be checked without
 * it: the file parses, the job submission and the migration run this code's entry points with
 * arguments they accept, the topics created are the ones the job reads and writes, the SQL mounted
 * is the repository's, and the jar mounted is the one the build produces.
 */
class DockerComposeTest {

  private static final Path MODULE_DIR =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
  private static final Path REPO_DIR = MODULE_DIR.getParent();

  private static JsonNode compose;
  private static JsonNode services;

  @BeforeAll
  static void parseComposeFile() throws Exception {
    compose =
        new ObjectMapper(new YAMLFactory())
            .readTree(REPO_DIR.resolve("docker-compose.yml").toFile());
    services = compose.path("services");
    assertThat(services.isObject()).as("services in docker-compose.yml").isTrue();
  }

  /**
   * What the test needs of one job's options, whatever their type.
   *
   * @param deadLetterTopic null for a job that writes no dead letters
   * @param moreTopics topics the job reads or writes besides {@code topic} and dead letters
   */
  record Endpoints(
      String bootstrapServers,
      String topic,
      String deadLetterTopic,
      String clickhouseUrl,
      String clickhouseUser,
      List<String> moreTopics) {

    Endpoints(
        String bootstrapServers,
        String topic,
        String deadLetterTopic,
        String clickhouseUrl,
        String clickhouseUser) {
      this(bootstrapServers, topic, deadLetterTopic, clickhouseUrl, clickhouseUser, List.of());
    }
  }

  /** A compose service that submits one job: the class and how it parses its arguments. */
  record Client(String service, Class<?> job, Function<String[], Endpoints> parse, String topic) {
    @Override
    public String toString() {
      return service;
    }
  }

  static Stream<Client> clients() {
    return Stream.of(
        new Client(
            "client",
            SurveyJob.class,
            args -> {
              SurveyJobOptions o = SurveyJob.parseOptions(args);
              return new Endpoints(
                  o.kafka().bootstrapServers(),
                  o.topic(),
                  o.deadLetterTopic(),
                  o.clickHouse().clickhouseUrl(),
                  o.clickHouse().clickhouseUser(),
                  List.of(AlertOptions.parse(args).topic()));
            },
            SurveyJobOptions.DEFAULT_TOPIC),
        new Client(
            "client-checkout",
            CheckoutJob.class,
            args -> {
              CheckoutJobOptions o = CheckoutJob.parseOptions(args);
              return new Endpoints(
                  o.kafka().bootstrapServers(),
                  o.topic(),
                  o.deadLetterTopic(),
                  o.clickHouse().clickhouseUrl(),
                  o.clickHouse().clickhouseUser(),
                  List.of(AlertOptions.parse(args).topic()));
            },
            CheckoutJobOptions.DEFAULT_TOPIC),
        new Client(
            "client-tickets",
            TicketJob.class,
            args -> {
              TicketJobOptions o = TicketJob.parseOptions(args);
              return new Endpoints(
                  o.kafka().bootstrapServers(),
                  o.topic(),
                  o.deadLetterTopic(),
                  o.clickHouse().clickhouseUrl(),
                  o.clickHouse().clickhouseUser(),
                  List.of(AlertOptions.parse(args).topic()));
            },
            TicketJobOptions.DEFAULT_TOPIC),
        new Client(
            "client-drivers",
            DriverSplitJob.class,
            args -> {
              DriverSplitJobOptions o = DriverSplitJob.parseOptions(args);
              return new Endpoints(
                  o.kafka().bootstrapServers(),
                  o.surveyTopic(),
                  null,
                  o.clickHouse().clickhouseUrl(),
                  o.clickHouse().clickhouseUser(),
                  List.of(o.ticketTopic()));
            },
            SurveyJobOptions.DEFAULT_TOPIC));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clients")
  void clientSubmitsItsJobThroughTheFlinkCli(Client client) throws Exception {
    List<String> entrypoint = strings(service(client.service()).path("entrypoint"));
    assertThat(entrypoint.subList(0, 2)).containsExactly("flink", "run");
    List<String> jobArgs = strings(service(client.service()).path("command"));

    // The remaining entrypoint words and the command, parsed as `flink run` parses them.
    List<String> runArgs = new ArrayList<>(entrypoint.subList(2, entrypoint.size()));
    runArgs.addAll(jobArgs);
    DefaultCLI defaultCli = new DefaultCLI();
    Options cliOptions = new Options();
    defaultCli.addGeneralOptions(cliOptions);
    defaultCli.addRunOptions(cliOptions);
    CommandLine commandLine =
        CliFrontendParser.parse(
            CliFrontendParser.mergeOptions(CliFrontendParser.getRunCommandOptions(), cliOptions),
            runArgs.toArray(String[]::new),
            true);
    ProgramOptions program = ProgramOptions.create(commandLine);
    program.validate();

    assertThat(program.getEntryPointClassName()).isEqualTo(client.job().getName());
    assertThat(program.getDetachedMode()).isTrue();
    assertThat(program.getJarFilePath()).isEqualTo(mountedJar(client.service()));
    assertThat(program.getProgramArgs()).containsExactlyElementsOf(jobArgs);

    Configuration target = defaultCli.toConfiguration(commandLine);
    assertThat(services.has(target.get(RestOptions.ADDRESS)))
        .as("the -m host is a service: %s", target.get(RestOptions.ADDRESS))
        .isTrue();
    assertThat(strings(service(target.get(RestOptions.ADDRESS)).path("ports")))
        .anySatisfy(port -> assertThat(port).endsWith(":" + target.get(RestOptions.PORT)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clients")
  void jobArgumentsParseAndPointAtTheComposeServices(Client client) {
    Endpoints options =
        client
            .parse()
            .apply(strings(service(client.service()).path("command")).toArray(String[]::new));

    assertThat(options.bootstrapServers()).isEqualTo("kafka:29092");
    assertThat(env("kafka", "KAFKA_ADVERTISED_LISTENERS")).contains("//kafka:29092");
    assertThat(options.topic()).isEqualTo(client.topic());
    if (options.deadLetterTopic() != null) {
      assertThat(options.deadLetterTopic()).isEqualTo(KafkaOptions.DEFAULT_DEAD_LETTER_TOPIC);
    }
    assertThat(options.clickhouseUrl()).isEqualTo("jdbc:clickhouse:http://clickhouse:8123/default");
    assertThat(options.clickhouseUser()).isEqualTo(env("clickhouse", "CLICKHOUSE_USER"));
    // The password comes from the environment, never from the command line.
    assertThat(String.join(" ", strings(service(client.service()).path("command"))))
        .doesNotContain("password");
    assertThat(env(client.service(), "CLICKHOUSE_PASSWORD"))
        .isEqualTo(env("clickhouse", "CLICKHOUSE_PASSWORD"));
  }

  /**
   * Compose v1 ({@code docker-compose}, still common) validates the top level against a fixed set
   * of keys and rejects the others, such as {@code name}; extension fields ({@code x-…}) pass.
   */
  @Test
  void topLevelKeysAreThoseComposeV1Accepts() {
    Set<String> accepted =
        Set.of("version", "services", "networks", "volumes", "secrets", "configs");
    List<String> keys = new ArrayList<>();
    compose.fieldNames().forEachRemaining(keys::add);
    assertThat(keys)
        .isNotEmpty()
        .allSatisfy(
            key -> assertThat(accepted.contains(key) || key.startsWith("x-")).as(key).isTrue());
  }

  /**
   * {@code flink run} fails at once when the REST API it submits to does not answer yet, so every
   * client waits until the service it submits to is healthy, and that service's healthcheck asks
   * the REST API on the very port the client submits to.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("clients")
  void clientWaitsUntilTheRestApiItSubmitsToAnswers(Client client) {
    List<String> entrypoint = strings(service(client.service()).path("entrypoint"));
    String[] target = entrypoint.get(entrypoint.indexOf("-m") + 1).split(":");
    String host = target[0];
    String port = target[1];

    assertThat(service(client.service()).path("depends_on").path(host).path("condition").asText())
        .isEqualTo("service_healthy");
    String healthcheck = String.join(" ", strings(service(host).path("healthcheck").path("test")));
    assertThat(healthcheck)
        .startsWith("CMD-SHELL ")
        .contains("curl -f")
        .contains("http://localhost:" + port + "/overview");
  }

  @Test
  void kafkaInitCreatesTheTopicsTheJobsUse() {
    List<Endpoints> jobs =
        clients()
            .map(
                client ->
                    client
                        .parse()
                        .apply(
                            strings(service(client.service()).path("command"))
                                .toArray(String[]::new)))
            .toList();
    String script = String.join("\n", strings(service("kafka-init").path("command")));

    Map<String, Integer> created = new LinkedHashMap<>();
    Matcher create =
        Pattern.compile(
                "--bootstrap-server (\\S+) --create --if-not-exists --topic (\\S+) --partitions"
                    + " (\\d+)")
            .matcher(script);
    while (create.find()) {
      assertThat(create.group(1)).isEqualTo(jobs.get(0).bootstrapServers());
      created.put(create.group(2), Integer.parseInt(create.group(3)));
    }
    Set<String> used = new TreeSet<>();
    for (Endpoints job : jobs) {
      used.add(job.topic());
      used.addAll(job.moreTopics());
      if (job.deadLetterTopic() != null) {
        used.add(job.deadLetterTopic());
      }
    }
    assertThat(created.keySet()).containsExactlyInAnyOrderElementsOf(used);
    clients()
        .forEach(
            client ->
                assertThat(
                        service(client.service())
                            .path("depends_on")
                            .path("kafka-init")
                            .path("condition")
                            .asText())
                    .isEqualTo("service_completed_successfully"));
  }

  @Test
  void migrateRunsMigrateCommandOnTheRepositorySql() throws Exception {
    List<String> entrypoint = strings(service("migrate").path("entrypoint"));
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint.get(entrypoint.indexOf("-cp") + 1)).isEqualTo(mountedJar("migrate"));
    assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo(MigrateCommand.class.getName());

    ParseResult parsed =
        new picocli.CommandLine(new MigrateCommand())
            .parseArgs(strings(service("migrate").path("command")).toArray(String[]::new));
    assertThat(parsed.unmatched()).isEmpty();
    assertThat((String) parsed.matchedOptionValue("--clickhouse-url", null))
        .isEqualTo("jdbc:clickhouse:http://clickhouse:8123/default");
    assertThat((String) parsed.matchedOptionValue("--user", null))
        .isEqualTo(env("clickhouse", "CLICKHOUSE_USER"));
    assertThat(env("migrate", "CLICKHOUSE_PASSWORD"))
        .isEqualTo(env("clickhouse", "CLICKHOUSE_PASSWORD"));

    Path sqlDir = parsed.matchedOptionValue("--sql-dir", null);
    assertThat(sqlDir).as("--sql-dir").isNotNull();
    Path hostSqlDir = hostPathOf("migrate", sqlDir.toString());
    assertThat(hostSqlDir).isEqualTo(REPO_DIR.resolve("sql"));
    assertThat(hostSqlDir.resolve("migrations/index.txt")).isRegularFile();
    assertThat(names(Migrations.fromDirectory(hostSqlDir).migrations()))
        .isNotEmpty()
        .isEqualTo(names(Migrations.fromClasspath().migrations()));
  }

  @Test
  void theGeneratorRunsLocalModesTrafficIntoTheStacksKafkaWithIncidentsFromTheEnvironment() {
    List<String> entrypoint = strings(service("generator").path("entrypoint"));
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint.get(entrypoint.indexOf("-cp") + 1))
        .startsWith(mountedJar("generator") + ":");
    assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo(GenerateCommand.class.getName());

    List<String> args = strings(service("generator").path("command"));
    ParseResult parsed =
        new picocli.CommandLine(new GenerateCommand()).parseArgs(args.toArray(String[]::new));
    assertThat(parsed.unmatched()).isEmpty();
    TrafficFlags flags = GenerateCommand.parse(args.toArray(String[]::new));
    assertThat(flags.problems()).isEmpty();
    // The broker's listener for other containers, as the jobs' clients use it.
    assertThat((String) parsed.matchedOptionValue("--bootstrap-servers", null))
        .isEqualTo("kafka:29092");
    assertThat(env("generator", TrafficFlags.INCIDENTS_ENV))
        .isEqualTo("${" + TrafficFlags.INCIDENTS_ENV + ":-}");
    assertThat(
            service("generator").path("depends_on").path("kafka-init").path("condition").asText())
        .isEqualTo("service_completed_successfully");
  }

  @Test
  void mountedJarIsTheShadedJobJarWithTheSurveyJobAsMainClass() throws Exception {
    Element shade = shadePlugin();
    String outputFile = text(shade, "outputFile");
    assertThat(outputFile).startsWith("${project.build.directory}/");
    Path builtJar =
        MODULE_DIR
            .resolve("target")
            .resolve(outputFile.substring("${project.build.directory}/".length()));
    assertThat(builtJar.getFileName()).hasToString("cx-pulse-jobs-job.jar");
    assertThat(text(shade, "mainClass")).isEqualTo(SurveyJob.class.getName());

    for (String service : List.of("client", "migrate")) {
      assertThat(hostPathOf(service, mountedJar(service))).as(service).isEqualTo(builtJar);
    }
  }

  /**
   * Checkpoints and savepoints (RocksDB, incremental) live on one named volume that the jobmanager
   * and the taskmanager mount at the same path: the JobManager writes a checkpoint's metadata and
   * the TaskManager its files, and a savepoint must outlive the containers for {@code flink run
   * -s}. ClusterFaultsITCase runs its cluster on these same properties.
   */
  @Test
  void flinkKeepsCheckpointsAndSavepointsOnANamedVolumeBothFlinkServicesShare() throws Exception {
    JsonNode properties =
        new ObjectMapper(new YAMLFactory())
            .readTree(compose.path("x-flink-config").path("FLINK_PROPERTIES").asText());
    assertThat(properties.path("state.backend.type").asText()).isEqualTo("rocksdb");
    assertThat(properties.path("execution.checkpointing.incremental").asBoolean()).isTrue();
    String checkpoints = properties.path("execution.checkpointing.dir").asText();
    String savepoints = properties.path("execution.checkpointing.savepoint-dir").asText();
    assertThat(checkpoints).startsWith("file:///");
    assertThat(savepoints).startsWith(checkpoints + "/");
    String mountPath = checkpoints.substring("file://".length());
    for (String flinkService : List.of("jobmanager", "taskmanager")) {
      List<String> volumes =
          strings(service(flinkService).path("volumes")).stream()
              .filter(volume -> volume.endsWith(":" + mountPath))
              .map(volume -> volume.split(":")[0])
              .toList();
      assertThat(volumes).as("%s mounts a volume at %s", flinkService, mountPath).hasSize(1);
      assertThat(compose.path("volumes").has(volumes.get(0)))
          .as("%s is a named volume", volumes.get(0))
          .isTrue();
    }
  }

  private static JsonNode service(String name) {
    JsonNode service = services.path(name);
    assertThat(service.isObject()).as("service %s", name).isTrue();
    return service;
  }

  private static String env(String service, String variable) {
    JsonNode value = service(service).path("environment").path(variable);
    assertThat(value.isMissingNode()).as("%s of service %s", variable, service).isFalse();
    return value.asText();
  }

  /** The container path of the jar the service mounts (the one volume ending in .jar). */
  private static String mountedJar(String service) {
    List<String> jars =
        strings(service(service).path("volumes")).stream()
            .map(volume -> volume.split(":")[1])
            .filter(path -> path.endsWith(".jar"))
            .toList();
    assertThat(jars).as("jars mounted in %s", service).hasSize(1);
    return jars.get(0);
  }

  /** The host path, resolved against the repository, of the volume mounted at containerPath. */
  private static Path hostPathOf(String service, String containerPath) {
    for (String volume : strings(service(service).path("volumes"))) {
      String[] parts = volume.split(":");
      if (parts[1].equals(containerPath)) {
        assertThat(parts[0]).as("bind mount relative to the repository").startsWith("./");
        return REPO_DIR.resolve(parts[0]).normalize();
      }
    }
    throw new AssertionError(service + " mounts nothing at " + containerPath);
  }

  private static List<String> strings(JsonNode list) {
    assertThat(list.isArray()).as("a list: %s", list).isTrue();
    List<String> values = new ArrayList<>();
    list.forEach(value -> values.add(value.asText()));
    return values;
  }

  private static List<String> names(List<Migration> migrations) {
    return migrations.stream().map(Migration::name).toList();
  }

  private static Element shadePlugin() throws Exception {
    Document pom =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(Files.newInputStream(MODULE_DIR.resolve("pom.xml")));
    NodeList plugins = pom.getElementsByTagName("plugin");
    for (int i = 0; i < plugins.getLength(); i++) {
      Element plugin = (Element) plugins.item(i);
      if (text(plugin, "artifactId").equals("maven-shade-plugin")) {
        return plugin;
      }
    }
    throw new AssertionError("no maven-shade-plugin in jobs/pom.xml");
  }

  private static String text(Element parent, String tag) {
    NodeList nodes = parent.getElementsByTagName(tag);
    assertThat(nodes.getLength()).as("<%s>", tag).isGreaterThan(0);
    return nodes.item(0).getTextContent().strip();
  }

  @Test
  void grafanaIsPinnedAndProvisionsTheRepositoryDashboardsReadOnly() throws Exception {
    JsonNode grafana = services.path("grafana");
    String image = grafana.path("image").asText();
    assertThat(image).matches("grafana/grafana:12\\.\\d+\\.\\d+");
    JsonNode environment = grafana.path("environment");
    assertThat(environment.path("GF_INSTALL_PLUGINS").asText())
        .as("the official ClickHouse plugin, pinned")
        .matches("grafana-clickhouse-datasource \\d+\\.\\d+\\.\\d+");
    assertThat(environment.path("GF_SECURITY_ADMIN_PASSWORD").asText())
        .as("admin password from the environment, with a default for a local stack")
        .matches("\\$\\{GRAFANA_ADMIN_PASSWORD:-.+}");
    assertThat(grafana.path("ports").toString()).contains("127.0.0.1:3000:3000");

    Map<String, String> mounts = new LinkedHashMap<>();
    for (JsonNode volume : grafana.path("volumes")) {
      String[] parts = volume.asText().split(":");
      if (parts[0].startsWith("./")) {
        assertThat(parts).as("%s mounted read-only", volume.asText()).hasSize(3);
        assertThat(parts[2]).isEqualTo("ro");
        assertThat(REPO_DIR.resolve(parts[0].substring(2))).isDirectory();
        mounts.put(parts[0], parts[1]);
      }
    }
    assertThat(mounts).containsEntry("./dashboards/provisioning", "/etc/grafana/provisioning");
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    JsonNode provider =
        yaml.readTree(REPO_DIR.resolve("dashboards/provisioning/dashboards/cx-pulse.yaml").toFile())
            .path("providers")
            .get(0);
    assertThat(mounts)
        .as("the dashboards are mounted where the provider reads them")
        .containsEntry("./dashboards/json", provider.path("options").path("path").asText());
    String home = environment.path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
    assertThat(home).startsWith(mounts.get("./dashboards/json") + "/");
    assertThat(
            REPO_DIR.resolve("dashboards/json").resolve(home.substring(home.lastIndexOf('/') + 1)))
        .isRegularFile();
  }

  @Test
  void grafanasDataSourceReachesTheComposeClickHouseAsItsUser() throws Exception {
    JsonNode source =
        new ObjectMapper(new YAMLFactory())
            .readTree(
                REPO_DIR.resolve("dashboards/provisioning/datasources/clickhouse.yaml").toFile())
            .path("datasources")
            .get(0);
    assertThat(source.path("type").asText()).isEqualTo("grafana-clickhouse-datasource");
    JsonNode json = source.path("jsonData");
    JsonNode clickhouse = services.path(json.path("host").asText());
    assertThat(clickhouse.isObject()).as("data source host is a compose service").isTrue();
    assertThat(clickhouse.path("image").asText()).startsWith("clickhouse/clickhouse-server:");
    assertThat(json.path("protocol").asText()).isEqualTo("http");
    assertThat(clickhouse.path("ports").toString())
        .contains(":" + json.path("port").asInt() + "\"");
    assertThat(json.path("username").asText())
        .isEqualTo(clickhouse.path("environment").path("CLICKHOUSE_USER").asText());
    // The password comes from Grafana's environment, set from the same variable as ClickHouse's.
    assertThat(source.path("secureJsonData").path("password").asText())
        .isEqualTo("${CLICKHOUSE_PASSWORD}");
    assertThat(services.path("grafana").path("environment").path("CLICKHOUSE_PASSWORD").asText())
        .isEqualTo(clickhouse.path("environment").path("CLICKHOUSE_PASSWORD").asText());
    assertThat(
            services
                .path("grafana")
                .path("depends_on")
                .path("clickhouse")
                .path("condition")
                .asText())
        .isEqualTo("service_healthy");
    // Every dashboard's queries name this data source (DashboardFilesTest checks each reference).
    assertThat(source.path("uid").asText()).isEqualTo("cx-clickhouse");
  }
}
