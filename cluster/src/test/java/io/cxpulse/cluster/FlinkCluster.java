package io.cxpulse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink standalone session cluster of real OS processes, started as Flink's own scripts start
 * one: a JobManager JVM ({@code StandaloneSessionClusterEntrypoint}) and TaskManager JVMs ({@code
 * TaskManagerRunner}), each with its own {@code config.yaml} in a conf directory of its own, their
 * JVM memory options computed by Flink's {@code BashJavaUtils} from the configured process sizes
 * (what {@code jobmanager.sh} and {@code taskmanager.sh} do), and jobs submitted and stopped with
 * Flink's command line ({@code CliFrontend}, what {@code bin/flink} runs).
 *
 * <p>The processes run on Flink's own classpath (Maven Central's artifacts of the version the jobs
 * use, listed by this module's build in {@code target/flink-classpath.txt}) without any class of
 * this project: the jobs' classes arrive in the job jar, as on a user's cluster.
 */
final class FlinkCluster implements AutoCloseable {

  private static final String MAIN_JOBMANAGER =
      "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
  private static final String MAIN_TASKMANAGER =
      "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
  private static final String MAIN_CLI = "org.apache.flink.client.cli.CliFrontend";
  private static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
  private static final String EXEC_RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";

  private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
  private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

  /**
   * What the configuration of Flink's distribution (flink-dist's {@code config.yaml}) gives every
   * Flink JVM for Java 17, and Flink's scripts put before {@code env.java.opts.all}: the runtime
   * reflects into these JDK packages (the command line fails on {@code java.util} without them).
   */
  static final List<String> JAVA_17_OPTIONS =
      List.of(
          "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
          "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
          "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.text=ALL-UNNAMED",
          "--add-opens=java.base/java.time=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final Duration STARTUP = Duration.ofMinutes(2);
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final String classpath;
  private final Map<String, String> configuration;
  private final List<String> javaOptions;
  private final int restPort;
  private final Path tmpDir;
  private final List<ChildProcess> taskManagers = new ArrayList<>();
  private ChildProcess jobManager;
  private int taskManagersStarted;
  private final java.util.concurrent.atomic.AtomicInteger cliRuns =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * @param configuration the cluster's settings (state backend, checkpoints, slots, …) to which the
   *     addresses, ports, memory sizes and directories of this machine are added
   * @param javaOptions JVM options of every process ({@code env.java.opts.all})
   */
  private FlinkCluster(
      Path dir, String classpath, Map<String, String> configuration, List<String> javaOptions)
      throws IOException {
    this.dir = dir;
    this.classpath = classpath;
    this.javaOptions = javaOptions;
    this.restPort = freePort();
    // Short: RocksDB's files under it get long names (job, operator, key group) and RocksDB warns
    // about paths near its limit under target/.
    this.tmpDir = Files.createTempDirectory("cx-flink-");
    this.configuration = new LinkedHashMap<>(configuration);
    this.configuration.putAll(
        Map.of(
            "jobmanager.rpc.address", "127.0.0.1",
            "jobmanager.rpc.port", Integer.toString(freePort()),
            "jobmanager.bind-host", "127.0.0.1",
            "rest.address", "127.0.0.1",
            "rest.bind-address", "127.0.0.1",
            "rest.port", Integer.toString(restPort),
            "taskmanager.host", "127.0.0.1",
            "taskmanager.bind-host", "127.0.0.1",
            "io.tmp.dirs", tmpDir.toString()));
  }

  /**
   * Starts a JobManager and {@code taskManagers} TaskManagers, and waits until the REST API counts
   * them all.
   */
  static FlinkCluster start(
      Path dir, Map<String, String> configuration, List<String> javaOptions, int taskManagers)
      throws Exception {
    String classpath =
        Files.readString(
                Path.of(System.getProperty("cxpulse.flinkClasspath")), StandardCharsets.UTF_8)
            .strip();
    assertThat(classpath)
        .as("the cluster's classpath holds Flink, not this project")
        .contains("flink-runtime-")
        .doesNotContain("cx-pulse");
    FlinkCluster cluster = new FlinkCluster(dir, classpath, configuration, javaOptions);
    try {
      cluster.startJobManager();
      for (int i = 0; i < taskManagers; i++) {
        cluster.startTaskManager();
      }
      cluster.awaitTaskManagers(taskManagers);
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  String restAddress() {
    return "127.0.0.1:" + restPort;
  }

  List<ChildProcess> taskManagers() {
    return taskManagers;
  }

  private void startJobManager() throws Exception {
    Path conf = writeConf("jobmanager");
    jobManager = startFlinkProcess("jobmanager", conf, MAIN_JOBMANAGER, "GET_JM_RESOURCE_PARAMS");
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (rest("/overview") == null) {
      assertThat(jobManager.isAlive()).as(jobManager.tail(80)).isTrue();
      assertThat(System.nanoTime()).as("REST API up\n" + jobManager.tail(80)).isLessThan(deadline);
      Thread.sleep(300);
    }
  }

  /** Starts one more TaskManager (its own conf directory and log file). */
  ChildProcess startTaskManager() throws Exception {
    String name = "taskmanager-" + (++taskManagersStarted);
    Path conf = writeConf(name);
    ChildProcess taskManager =
        startFlinkProcess(name, conf, MAIN_TASKMANAGER, "GET_TM_RESOURCE_PARAMS");
    taskManagers.add(taskManager);
    return taskManager;
  }

  /** Waits until the JobManager counts {@code count} registered TaskManagers. */
  void awaitTaskManagers(int count) throws Exception {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (true) {
      JsonNode overview = rest("/overview");
      if (overview != null && overview.path("taskmanagers").asInt() == count) {
        return;
      }
      assertThat(System.nanoTime())
          .as("%d TaskManagers registered:\n%s", count, tails())
          .isLessThan(deadline);
      Thread.sleep(300);
    }
  }

  /**
   * {@code flink <args>} as its own process, e.g. {@code run -d -c … jar …}; returns what it
   * printed, or fails with it if it exits non-zero.
   *
   * @param environment added to the process's environment (e.g. the ClickHouse password)
   */
  String flink(List<String> args, Map<String, String> environment) throws Exception {
    String name = "flink-" + cliRuns.incrementAndGet() + "-" + args.get(0);
    Path conf = writeConf(name);
    List<String> command = javaCommand(conf, name);
    command.add(MAIN_CLI);
    command.addAll(args);
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put("FLINK_CONF_DIR", conf.toString());
    ChildProcess cli = ChildProcess.start(name, command, env, dir);
    int exit = cli.awaitExit(Duration.ofMinutes(3));
    assertThat(exit).as("flink %s:\n%s", String.join(" ", args), cli.tail(80)).isZero();
    return cli.text();
  }

  /** The job id that {@code flink run -d} printed. */
  static String jobIdOf(String runOutput) {
    Matcher matcher = JOB_ID.matcher(runOutput);
    assertThat(matcher.find()).as("a job id in:\n%s", runOutput).isTrue();
    return matcher.group(1);
  }

  /** The savepoint path that {@code flink stop --savepointPath} printed. */
  static String savepointOf(String stopOutput) {
    Matcher matcher = SAVEPOINT.matcher(stopOutput);
    assertThat(matcher.find()).as("a savepoint path in:\n%s", stopOutput).isTrue();
    return matcher.group(1);
  }

  /** The job's status from the REST API (RUNNING, RESTARTING, …), or null if unknown. */
  String jobStatus(String jobId) throws Exception {
    JsonNode job = rest("/jobs/" + jobId);
    return job == null ? null : job.path("state").asText();
  }

  /**
   * How often the job has restarted so far, counted in the JobManager's log (every failover,
   * whether of the whole job or of a region, is a line "switched from state RUNNING to
   * RESTARTING").
   */
  long restarts(String jobId) throws IOException {
    String line = "(" + jobId + ") switched from state RUNNING to RESTARTING";
    try (java.util.stream.Stream<String> lines =
        Files.lines(dir.resolve("jobmanager.log"), StandardCharsets.UTF_8)) {
      return lines.filter(text -> text.contains(line)).count();
    }
  }

  /** GET on the REST API; null if it does not answer 200. */
  JsonNode rest(String path) throws Exception {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://" + restAddress() + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The tail of every process's output and log file, for a failure message. */
  String tails() {
    StringBuilder text = new StringBuilder();
    List<ChildProcess> all = new ArrayList<>();
    if (jobManager != null) {
      all.add(jobManager);
    }
    all.addAll(taskManagers);
    for (ChildProcess process : all) {
      text.append(process.tail(30)).append('\n');
      Path log = dir.resolve(process.name() + ".log");
      try {
        if (Files.exists(log)) {
          List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
          text.append("--- ").append(log).append(" (last 60 lines)\n");
          lines
              .subList(Math.max(0, lines.size() - 60), lines.size())
              .forEach(line -> text.append(line).append('\n'));
        }
      } catch (IOException e) {
        text.append(e).append('\n');
      }
    }
    return text.toString();
  }

  private ChildProcess startFlinkProcess(
      String name, Path conf, String mainClass, String resourceCommand) throws Exception {
    Resources resources = resources(name, conf, resourceCommand);
    List<String> command = javaCommand(conf, name);
    command.addAll(command.size() - 2, resources.jvmOptions());
    command.add(mainClass);
    command.add("--configDir");
    command.add(conf.toString());
    command.addAll(resources.dynamicOptions());
    return ChildProcess.start(name, command, Map.of(), dir);
  }

  /** JVM options and dynamic configuration as Flink's BashJavaUtils derives them. */
  private record Resources(List<String> jvmOptions, List<String> dynamicOptions) {}

  private Resources resources(String name, Path conf, String command) throws Exception {
    List<String> java =
        new ArrayList<>(
            List.of(
                javaExecutable(),
                "-cp",
                classpath,
                BASH_JAVA_UTILS,
                command,
                "--configDir",
                conf.toString()));
    ChildProcess utils = ChildProcess.start(name + "-memory", java, Map.of(), dir);
    assertThat(utils.awaitExit(Duration.ofMinutes(1))).as(utils.tail(40)).isZero();
    List<String> results =
        utils
            .text()
            .lines()
            .filter(line -> line.startsWith(EXEC_RESULT))
            .map(line -> line.substring(EXEC_RESULT.length()).strip())
            .toList();
    assertThat(results).as(utils.tail(40)).hasSizeGreaterThanOrEqualTo(2);
    return new Resources(
        Arrays.asList(results.get(results.size() - 2).split(" +")),
        Arrays.asList(results.get(results.size() - 1).split(" +")));
  }

  /** java, the JVM options of every process and its log settings, then -cp; the main class next. */
  private List<String> javaCommand(Path conf, String name) {
    List<String> command = new ArrayList<>();
    command.add(javaExecutable());
    command.addAll(JAVA_17_OPTIONS);
    command.addAll(javaOptions);
    command.add("-Dlog.file=" + dir.resolve(name + ".log"));
    command.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
    command.add("-cp");
    command.add(classpath);
    return command;
  }

  private Path writeConf(String name) throws IOException {
    Path conf = Files.createDirectories(dir.resolve("conf-" + name));
    StringBuilder yaml = new StringBuilder();
    configuration.forEach(
        (key, value) ->
            yaml.append(key).append(": '").append(value.replace("'", "''")).append("'\n"));
    Files.writeString(conf.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
    // Flink's own log4j.properties, reduced: everything to the file named by -Dlog.file.
    Files.writeString(
        conf.resolve("log4j.properties"),
        String.join(
            "\n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = MainAppender",
            "appender.main.name = MainAppender",
            "appender.main.type = File",
            "appender.main.append = true",
            "appender.main.fileName = ${sys:log.file}",
            "appender.main.layout.type = PatternLayout",
            "appender.main.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
            "logger.kafka.name = org.apache.kafka",
            "logger.kafka.level = WARN",
            ""),
        StandardCharsets.UTF_8);
    return conf;
  }

  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    taskManagers.forEach(ChildProcess::kill);
    if (jobManager != null) {
      jobManager.kill();
    }
    try (java.util.stream.Stream<Path> files = Files.walk(tmpDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Left behind in the system's temporary directory.
    }
  }
}
