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

  @TempDir Path tempDir;

  @Test
  void loadsTheMigrationsInIndexOrderFromTheClasspath() {
    Migrations migrations = Migrations.fromClasspath();

    assertThat(migrations.migrations())
        .extracting(Migration::name)
        .startsWith("V001__survey_window.sql", "V002__dead_letters.sql", "V003__survey_views.sql");
    assertThat(migrations.migrations()).extracting(Migration::version).startsWith(1, 2, 3);
    assertThat(migrations.bookkeepingStatements())
        .singleElement()
        .satisfies(s -> assertThat(s.sql()).startsWith("CREATE TABLE IF NOT EXISTS"));
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
    Files.copy(
        REPOSITORY_SQL.resolve(Migrations.BOOKKEEPING), tempDir.resolve(Migrations.BOOKKEEPING));
    Files.write(tempDir.resolve(Migrations.INDEX), List.of(index));
    return tempDir;
  }
}
