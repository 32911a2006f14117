package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code cx-pulse} script, run from another directory than its own, as a user runs it
 * ({@code ~/cx-pulse/cx-pulse run --alert-rules my-rules.yaml}). What would make that slow or
 * install software is replaced: the script sits in a copy of the repository's layout whose {@code
 * scripts/setup.sh} does nothing, {@code mvn} on the {@code PATH} only records its arguments and
 * prints what Maven prints (or fails, on demand), and {@code local/target} points at this build's
 * classes. Java and the command line are the real ones.
 */
class CxPulseLauncherTest {

  private static final Path MODULE_DIR =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
  private static final Path REPO_DIR = MODULE_DIR.getParent();

  @TempDir Path dir;

  private Path home;
  private Path bin;
  private Path work;

  @BeforeEach
  void layOutALauncherHome() throws IOException {
    home = Files.createDirectories(dir.resolve("cx-pulse-home"));
    Files.copy(REPO_DIR.resolve("cx-pulse"), home.resolve("cx-pulse"));
    executable(home.resolve("cx-pulse"));
    Files.createDirectories(home.resolve("scripts"));
    executable(Files.writeString(home.resolve("scripts/setup.sh"), "#!/bin/sh\nexit 0\n"));
    Path target = Files.createDirectories(home.resolve("local/target"));
    Files.createSymbolicLink(target.resolve("classes"), MODULE_DIR.resolve("target/classes"));
    Files.writeString(
        target.resolve("runtime-classpath.txt"), System.getProperty("java.class.path"));

    // What the build reads, in miniature: poms, main and test sources, migrations.
    Files.writeString(home.resolve("pom.xml"), "<project/>\n");
    Files.writeString(home.resolve("local/pom.xml"), "<project/>\n");
    write("local/src/main/java/Example.java", "class Example {}\n");
    write("local/src/test/java/ExampleTest.java", "class ExampleTest {}\n");
    write("sql/migrations/V001__example.sql", "CREATE TABLE t (x UInt8) ENGINE = Memory\n");

    bin = Files.createDirectories(dir.resolve("bin"));
    // Records its arguments and prints what Maven prints per module; fails with Maven's error
    // lines while the file mvn-fails exists.
    executable(
        Files.writeString(
            bin.resolve("mvn"),
            String.join(
                "\n",
                "#!/bin/sh",
                "echo \"$@\" >> \"" + dir.resolve("mvn-args") + "\"",
                "echo '[INFO] Scanning for projects...'",
                "echo '[INFO] Building CX Pulse :: Local mode and benchmarks 0.1.0-SNAPSHOT      [1/1]'",
                "if [ -e \"" + dir.resolve("mvn-fails") + "\" ]; then",
                "  echo '[ERROR] Example.java:[1,15] reached end of file while parsing'",
                "  echo '[INFO] BUILD FAILURE'",
                "  exit 1",
                "fi",
                "echo '[INFO] BUILD SUCCESS'",
                "echo '[INFO] Total time:  1.234 s'",
                "")));
    work = Files.createDirectories(dir.resolve("elsewhere"));
  }

  @Test
  void aSecondRunWithNothingChangedDoesNotBuild() throws Exception {
    Result first = launch("--version");
    Result second = launch("--version");

    assertThat(first.exitCode()).as(first.stderr()).isZero();
    // Progress while building: why, then Maven's module lines and its time, shortened.
    assertThat(first.stderr())
        .contains("cx-pulse: building (the first build downloads Maven dependencies) ...")
        .contains("cx-pulse:   [1/1] CX Pulse :: Local mode and benchmarks\n")
        .contains("cx-pulse:   built in 1.234 s")
        .doesNotContain("Scanning for projects");
    assertThat(second.exitCode()).as(second.stderr()).isZero();
    assertThat(second.stdout()).isEqualTo(first.stdout());
    assertThat(second.stderr()).doesNotContain("building");
    assertThat(mavenRuns()).isEqualTo(1);
  }

  @Test
  void anEditedAddedOrDeletedInputRebuildsAndATestDoesNot() throws Exception {
    launch("--version");
    Path source = home.resolve("local/src/main/java/Example.java");
    FileTime unchanged = Files.getLastModifiedTime(source);

    // Edited, its time kept (as a copy that preserves times does): the content counts.
    Files.writeString(source, "class Example { int x; }\n");
    Files.setLastModifiedTime(source, unchanged);
    Result edited = launch("--version");
    assertThat(edited.exitCode()).as(edited.stderr()).isZero();
    assertThat(edited.stderr())
        .contains(
            "cx-pulse: building, 1 changed since the last build: local/src/main/java/Example.java");
    assertThat(mavenRuns()).isEqualTo(2);

    write("local/src/main/java/Added.java", "class Added {}\n");
    assertThat(launch("--version").stderr())
        .contains("1 changed since the last build: local/src/main/java/Added.java");
    assertThat(mavenRuns()).isEqualTo(3);

    Files.delete(home.resolve("sql/migrations/V001__example.sql"));
    assertThat(launch("--version").stderr())
        .contains("1 changed since the last build: sql/migrations/V001__example.sql");
    assertThat(mavenRuns()).isEqualTo(4);

    // Tests are not part of what runs.
    write("local/src/test/java/ExampleTest.java", "class ExampleTest { int y; }\n");
    assertThat(launch("--version").stderr()).doesNotContain("building");
    assertThat(mavenRuns()).isEqualTo(4);
  }

  @Test
  void aFailedBuildIsRetriedNextTime() throws Exception {
    Files.createFile(dir.resolve("mvn-fails"));
    Result failed = launch("--version");

    assertThat(failed.exitCode()).isEqualTo(1);
    assertThat(failed.stdout()).isEmpty();
    assertThat(failed.stderr())
        .contains("[ERROR] Example.java:[1,15] reached end of file while parsing")
        .contains(
            "cx-pulse: the build failed; Maven's whole output is in "
                + home.resolve("local/target/cx-pulse-build.log"));
    assertThat(home.resolve("local/target/cx-pulse-build.log"))
        .content()
        .contains("Scanning for projects");

    Files.delete(dir.resolve("mvn-fails"));
    Result retried = launch("--version");
    assertThat(retried.exitCode()).as(retried.stderr()).isZero();
    assertThat(retried.stderr()).contains("cx-pulse: building (the last build did not succeed)");
    assertThat(mavenRuns()).isEqualTo(2);

    launch("--version");
    assertThat(mavenRuns()).isEqualTo(2);
  }

  @Test
  void aFailedBuildAfterAGoodOneIsRetriedToo() throws Exception {
    launch("--version");
    write("local/src/main/java/Example.java", "class Example {\n");
    Files.createFile(dir.resolve("mvn-fails"));
    assertThat(launch("--version").exitCode()).isEqualTo(1);
    // Put back as it was built: the last build failed, so it still builds.
    write("local/src/main/java/Example.java", "class Example {}\n");
    Files.delete(dir.resolve("mvn-fails"));

    Result retried = launch("--version");

    assertThat(retried.exitCode()).as(retried.stderr()).isZero();
    assertThat(retried.stderr()).contains("cx-pulse: building (the last build did not succeed)");
    assertThat(mavenRuns()).isEqualTo(3);
  }

  private long mavenRuns() throws IOException {
    Path args = dir.resolve("mvn-args");
    return Files.exists(args) ? Files.readAllLines(args).size() : 0;
  }

  private void write(String path, String content) throws IOException {
    Path file = home.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content);
  }

  @Test
  void relativePathsInFlagsAreThoseOfTheDirectoryTheUserIsIn() throws Exception {
    // A rules file only in the user's directory, with a mistake the command reports by file and
    // line before anything starts: found there, it is that report; looked for in the repository,
    // it would be "cannot read".
    Files.writeString(work.resolve("my-rules.yaml"), "rules:\n  - id: x\n    metric: joy\n");

    Result result = launch("run", "--alert-rules", "my-rules.yaml");

    assertThat(result.exitCode()).as(result.stderr()).isEqualTo(2);
    assertThat(result.stderr())
        .contains("my-rules.yaml line 2: rule 'x'")
        .doesNotContain("cannot read");
    // Maven builds the repository, named by its path since the script no longer changes into it.
    assertThat(Files.readString(dir.resolve("mvn-args"))).contains("-f " + home.resolve("pom.xml"));
  }

  @Test
  void versionFromAnyDirectoryPrintsTheVersionAlone() throws Exception {
    Result result = launch("--version");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout()).isEqualTo("CX Pulse " + CxPulseVersion.version() + "\n");
  }

  @Test
  void theDefaultDataDirectoryStaysInTheRepository() throws Exception {
    Result result = launch("run", "--help");

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stdout().replaceAll("\\s+", " "))
        .contains("(default: " + home.resolve(LocalMode.DEFAULT_DATA_DIR) + ",");
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  private Result launch(String... args) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(concat(List.of(home.resolve("cx-pulse").toString()), List.of(args)))
            .directory(work.toFile())
            .redirectOutput(dir.resolve("stdout").toFile())
            .redirectError(dir.resolve("stderr").toFile());
    Map<String, String> env = builder.environment();
    env.put("PATH", bin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
    // Help lines wide enough that no path is wrapped.
    env.put("JAVA_TOOL_OPTIONS", "-Dpicocli.usage.width=300");
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the launcher finished").isTrue();
    return new Result(
        process.exitValue(),
        Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  private static Path executable(Path file) throws IOException {
    return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
