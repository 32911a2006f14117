package io.cxpulse.jobs.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {

  @Test
  void splitsAtSemicolonsThatEndALine() {
    List<SqlScript.Statement> statements =
        SqlScript.statements(
            String.join(
                "\n",
                "-- header comment;",
                "",
                "CREATE TABLE t",
                "(",
                "    a UInt64, -- inline comments are sent as they are",
                "    b String DEFAULT 'x;y'",
                ")",
                "ENGINE = Memory;",
                "   -- indented comment ending in ;",
                "SELECT 1;  ",
                "SELECT 2 ; SELECT 3;"));

    assertThat(statements)
        .containsExactly(
            new SqlScript.Statement(
                3,
                "CREATE TABLE t\n(\n    a UInt64, -- inline comments are sent as they are\n"
                    + "    b String DEFAULT 'x;y'\n)\nENGINE = Memory"),
            new SqlScript.Statement(10, "SELECT 1"),
            // Only a ';' at the end of a line separates: this is one statement for the server.
            new SqlScript.Statement(11, "SELECT 2 ; SELECT 3"));
  }

  @Test
  void dropsCommentLinesAndBlankLinesInsideAStatement() {
    assertThat(SqlScript.statements("SELECT\r\n  -- the answer\r\n\r\n  42\r\n;\r\n"))
        .containsExactly(new SqlScript.Statement(1, "SELECT\n  42"));
  }

  @Test
  void commentsAndBlankLinesAloneAreNoStatements() {
    assertThat(SqlScript.statements("-- nothing here\n\n   \n-- still nothing;\n")).isEmpty();
    assertThat(SqlScript.statements("")).isEmpty();
    assertThat(SqlScript.statements(";\n")).isEmpty();
  }

  @Test
  void rejectsSqlAfterTheLastSemicolon() {
    assertThatThrownBy(() -> SqlScript.statements("SELECT 1;\n\nSELECT 2\n-- end\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 3");
  }
}
