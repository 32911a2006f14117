package io.cxpulse.jobs.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {

  /** The repository's sql/ folder, from the jobs module (the tests' working directory). */
  static final Path REPOSITORY_SQL = Path.of("..", "sql");

  /** The last versioned migration written before views moved into repeatable scripts. */
  static final int LAST_VERSION_WITH_VIEWS = 12;

  @TempDir Path tempDir;

  @Test
  void loadsTheMigrationsInIndexOrderFromTheClasspath() {
    Migrations migrations = Migrations.fromClasspath();

    assertThat(migrations.migrations())
        .extracting(Migration::name)
        .startsWith("V001__survey_window.sql", "V002__dead_letters.sql", "V003__survey_views.sql");
    assertThat(migrations.migrations()).extracting(Migration::version).startsWith(1, 2, 3);
    assertThat(migrations.bookkeepingStatements())
        .extracting(s -> s.sql().lines().findFirst().orElseThrow())
        .containsExactly(
            "CREATE TABLE IF NOT EXISTS cx_schema_migrations",
            "CREATE TABLE IF NOT EXISTS cx_schema_repeatables");
    assertThat(migrations.repeatables())
        .extracting(RepeatableScript::name)
        .startsWith("R__formulas.sql");
  }

  @Test
  void theRepeatableIndexListsEveryRepeatableScriptOfTheRepository() throws Exception {
    List<String> files;
    try (Stream<Path> list = Files.list(REPOSITORY_SQL.resolve("repeatable"))) {
      files =
          list.map(p -> p.getFileName().toString()).filter(name -> name.endsWith(".sql")).toList();
    }

    assertThat(Migrations.fromClasspath().repeatables())
        .extracting(RepeatableScript::name)
        .containsExactlyInAnyOrderElementsOf(files);
    for (RepeatableScript script : Migrations.fromClasspath().repeatables()) {
      byte[] file = Files.readAllBytes(REPOSITORY_SQL.resolve("repeatable").resolve(script.name()));
      assertThat(script.checksum()).as(script.name()).isEqualTo(Migration.sha256(file));
    }
  }

  /**
   * Every view and function is defined in exactly one repeatable script, and no script uses a view
   * or function that only a later script defines (the scripts run in index order).
   */
  @Test
  void everyObjectIsDefinedOnceAndBeforeItIsUsed() {
    List<RepeatableScript> scripts = Migrations.fromClasspath().repeatables();
    java.util.Map<String, String> definedIn = new java.util.HashMap<>();
    for (RepeatableScript script : scripts) {
      for (RepeatableScript.DefinedObject object : script.definitions()) {
        assertThat(definedIn.put(object.name(), script.name()))
            .as(object.name() + " defined again in " + script.name())
            .isNull();
      }
    }
    for (int i = 0; i < scripts.size(); i++) {
      String code = scripts.get(i).sql().replaceAll("(?m)^\\s*--.*$", "");
      for (var defined : definedIn.entrySet()) {
        if (java.util.regex.Pattern.compile("\\b" + defined.getKey() + "\\b")
            .matcher(code)
            .find()) {
          int definingIndex =
              scripts.stream().map(RepeatableScript::name).toList().indexOf(defined.getValue());
          assertThat(definingIndex)
              .as(scripts.get(i).name() + " uses " + defined.getKey())
              .isLessThanOrEqualTo(i);
        }
      }
    }
  }

  /**
   * The rule since the repeatable scripts exist: versioned migrations after V012 hold tables and
   * their changes only; a view or function is defined, and changed, in its repeatable script.
   */
  @Test
  void versionedMigrationsAfterTheRepeatableScriptsDefineNoViewOrFunction() {
    for (Migration migration : Migrations.fromClasspath().migrations()) {
      if (migration.version() > LAST_VERSION_WITH_VIEWS) {
        assertThat(migration.statements())
            .as(migration.name() + ": views and functions belong in sql/repeatable/")
            .noneSatisfy(
                s ->
                    assertThat(s.sql())
                        .containsPattern(
                            "(?i)^CREATE\\s+(OR\\s+REPLACE\\s+)?(MATERIALIZED\\s+)?(VIEW|FUNCTION)"));
      }
    }
  }

  @Test
  void rejectsARepeatableScriptWithAStatementOtherThanAViewOrFunction() throws Exception {
    Path root = sqlRoot();
    Files.write(root.resolve(Migrations.REPEATABLE_INDEX), List.of("R__things.sql"));
    Files.writeString(
        root.resolve("repeatable/R__things.sql"),
        "CREATE OR REPLACE VIEW a AS SELECT 1;\n\nCREATE TABLE t (x UInt8) ENGINE = Memory;\n");

    assertThatThrownBy(() -> Migrations.fromDirectory(root))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("R__things.sql: the statement on line 3 is not CREATE OR REPLACE")
        .extracting(e -> ((MigrationException) e).fileName())
        .isEqualTo("R__things.sql");
  }

  @Test
  void namesWhatARepeatableScriptDefines() {
    RepeatableScript script =
        RepeatableScript.of(
            "R__x.sql",
            ("-- a function\ncreate or replace function cx_f AS (a) -> a;\n"
                    + "CREATE OR REPLACE VIEW cx_v\nAS SELECT cx_f(1);\n"
                    + "CREATE OR REPLACE MATERIALIZED   VIEW cx_mv\nREFRESH EVERY 1 MINUTE APPEND TO t"
                    + " AS SELECT 1;\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(script.definitions())
        .containsExactly(
            new RepeatableScript.DefinedObject(RepeatableScript.Kind.FUNCTION, "cx_f"),
            new RepeatableScript.DefinedObject(RepeatableScript.Kind.VIEW, "cx_v"),
            new RepeatableScript.DefinedObject(RepeatableScript.Kind.MATERIALIZED_VIEW, "cx_mv"));
  }

  @Test
  void theIndexListsEveryMigrationFileOfTheRepository() throws Exception {
    List<String> files;
    try (Stream<Path> list = Files.list(REPOSITORY_SQL.resolve("migrations"))) {
      files =
          list.map(p -> p.getFileName().toString())
              .filter(name -> name.endsWith(".sql"))
              .sorted()
              .toList();
    }

    assertThat(Migrations.fromClasspath().migrations())
        .extracting(Migration::name)
        .containsExactlyElementsOf(files);
  }

  @Test
  void classpathCopiesAreByteForByteTheRepositoryFiles() throws Exception {
    for (Migration migration : Migrations.fromClasspath().migrations()) {
      byte[] file =
          Files.readAllBytes(REPOSITORY_SQL.resolve("migrations").resolve(migration.name()));
      assertThat(migration.checksum()).as(migration.name()).isEqualTo(Migration.sha256(file));
      assertThat(migration.checksum()).matches("[0-9a-f]{64}");
    }
  }

  @Test
  void everyMigrationSplitsIntoStatements() {
    for (Migration migration : Migrations.fromClasspath().migrations()) {
      assertThat(migration.statements()).as(migration.name()).isNotEmpty();
      assertThat(migration.statements())
          .allSatisfy(s -> assertThat(s.sql()).doesNotEndWith(";").isNotBlank());
    }
    Migration views = Migrations.fromClasspath().migrations().get(2);
    assertThat(views.statements())
        .extracting(s -> s.sql().lines().findFirst().orElseThrow())
        .containsExactly(
            "CREATE OR REPLACE VIEW cx_survey_window_latest",
            "CREATE OR REPLACE VIEW cx_survey_scores",
            "CREATE OR REPLACE VIEW cx_survey_scores_minute",
            "CREATE OR REPLACE VIEW cx_survey_scores_hour",
            "CREATE OR REPLACE VIEW cx_survey_scores_day",
            "CREATE OR REPLACE VIEW cx_dead_letter_counts");
  }

  @Test
  void rejectsAFileNameWithoutVersion() throws Exception {
    Path root = sqlRoot("create_things.sql");
    Files.writeString(root.resolve("migrations/create_things.sql"), "SELECT 1;\n");

    assertThatThrownBy(() -> Migrations.fromDirectory(root))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("create_things.sql")
        .hasMessageContaining("V<version>__<description>.sql");
  }

  @Test
  void rejectsVersionsOutOfIndexOrder() throws Exception {
    Path root = sqlRoot("V002__b.sql", "V001__a.sql");
    Files.writeString(root.resolve("migrations/V001__a.sql"), "SELECT 1;\n");
    Files.writeString(root.resolve("migrations/V002__b.sql"), "SELECT 2;\n");

    assertThatThrownBy(() -> Migrations.fromDirectory(root))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("V001__a.sql is listed after V002__b.sql");
  }

  @Test
  void rejectsAListedFileThatIsMissing() throws Exception {
    Path root = sqlRoot("V001__a.sql");

    assertThatThrownBy(() -> Migrations.fromDirectory(root))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("V001__a.sql is listed in migrations/index.txt but missing")
        .extracting(e -> ((MigrationException) e).fileName())
        .isEqualTo("V001__a.sql");
  }

  @Test
  void rejectsAFileWhoseLastStatementIsNotTerminated() throws Exception {
    Path root = sqlRoot("V001__a.sql");
    Files.writeString(root.resolve("migrations/V001__a.sql"), "SELECT 1;\nSELECT 2\n");

    assertThatThrownBy(() -> Migrations.fromDirectory(root))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("V001__a.sql")
        .hasMessageContaining("line 2");
  }

  private Path sqlRoot(String... index) throws Exception {
    Files.createDirectories(tempDir.resolve("migrations"));
    Files.createDirectories(tempDir.resolve("repeatable"));
    Files.write(tempDir.resolve(Migrations.REPEATABLE_INDEX), List.of());
    Files.copy(
        REPOSITORY_SQL.resolve(Migrations.BOOKKEEPING), tempDir.resolve(Migrations.BOOKKEEPING));
    Files.write(tempDir.resolve(Migrations.INDEX), List.of(index));
    return tempDir;
  }
}
