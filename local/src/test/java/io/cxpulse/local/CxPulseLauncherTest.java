package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * scripts/setup.sh} does nothing, {@code mvn} on the {@code PATH} only records its arguments, and
 * {@code local/target} points at this build's classes. Java and the command line are the real ones.
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

    bin = Files.createDirectories(dir.resolve("bin"));
    executable(
        Files.writeString(
            bin.resolve("mvn"), "#!/bin/sh\necho \"$@\" >> \"" + dir.resolve("mvn-args") + "\"\n"));
    work = Files.createDirectories(dir.resolve("elsewhere"));
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
