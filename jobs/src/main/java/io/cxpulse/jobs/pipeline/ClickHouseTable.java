package io.cxpulse.jobs.pipeline;

import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;

/**
 * What a job writes into one ClickHouse table: the table's name and, in order, each column it
 * writes with the value of a row that goes into it. The INSERT text ({@link #insertSql}) and the
 * JDBC binder ({@link #statement}) are both derived from this one list, so the column order lives
 * here and in the table's DDL only; {@code ClickHouseTablesITCase} checks every declaration against
 * the table the migrations create (each column exists and takes what is bound to it).
 *
 * <p>Timestamps are bound as {@link Instant}s, which the driver sends as epoch-based values (ticks
 * since the epoch in a binary row, {@code fromUnixTimestamp64Nano(…)} in text); a {@code
 * LocalDateTime} would be read in the JVM's default time zone and shift every row on a machine not
 * running in UTC.
 *
 * <p>Hand-written rather than a mapping library's: the jobs bind a dozen columns of five kinds
 * through Flink's own JDBC sink, and an ORM would bring its own connection handling for that.
 *
 * @param <T> the row type
 */
public final class ClickHouseTable<T> implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String name;
  private final List<Column<T>> columns;
  private final boolean binaryRows;

  private ClickHouseTable(String name, List<Column<T>> columns, boolean binaryRows) {
    this.name = name;
    this.columns = List.copyOf(columns);
    this.binaryRows = binaryRows;
  }

  /** The declaration of table {@code name}, its columns added in order on the builder. */
  public static <T> Builder<T> named(String name) {
    return new Builder<>(name);
  }

  /** The table's name, e.g. {@code cx_survey_window}. */
  public String name() {
    return name;
  }

  /** The columns written, in bind order. */
  public List<Column<T>> columns() {
    return columns;
  }

  /** {@code INSERT INTO <table> (<columns>) VALUES (?, …)}, one parameter per column. */
  public String insertSql() {
    return "INSERT INTO "
        + name
        + " ("
        + columns.stream().map(Column::name).collect(Collectors.joining(", "))
        + ") VALUES ("
        + columns.stream().map(c -> "?").collect(Collectors.joining(", "))
        + ")";
  }

  /** Binds a row to {@link #insertSql()}: column i of the list is parameter i + 1. */
  public JdbcStatementBuilder<T> statement() {
    return (statement, row) -> {
      for (int i = 0; i < columns.size(); i++) {
        columns.get(i).binder().bind(statement, i + 1, row);
      }
    };
  }

  /**
   * Whether the sink sends rows in binary ({@link Builder#binaryRows()}): then the columns are
   * every column of the table, in the table's order.
   */
  public boolean binaryRows() {
    return binaryRows;
  }

  /** The at-least-once sink of rows into this table ({@link ClickHouseSinks#sink}). */
  public ClickHouseSink<T> sink(JdbcConnectionOptions connection, JdbcExecutionOptions execution) {
    return ClickHouseSinks.sink(
        insertSql(),
        statement(),
        binaryRows ? ClickHouseSinks.withBinaryRows(connection) : connection,
        execution);
  }

  @Override
  public String toString() {
    return insertSql();
  }

  /** What a column binds, and so which ClickHouse column types can take it. */
  public enum Kind {
    /** An {@link Instant}: {@code DateTime}, {@code DateTime64}. */
    DATE_TIME("DateTime"),
    /** A {@code String}: {@code String}, {@code LowCardinality(String)}, an {@code Enum}. */
    STRING("String", "FixedString", "Enum"),
    /** Bytes: {@code String}. */
    BYTES("String"),
    /** A {@code long} or {@code int}: any integer column. */
    INTEGER("Int", "UInt"),
    /** A {@code double}: {@code Float64}, {@code Float32}. */
    FLOAT("Float"),
    /** A {@code boolean}: {@code Bool} ({@code UInt8}). */
    BOOLEAN("Bool", "UInt8"),
    /** An array, of the element type the binder names. */
    ARRAY("Array(");

    private final List<String> typePrefixes;

    Kind(String... typePrefixes) {
      this.typePrefixes = List.of(typePrefixes);
    }

    /**
     * Whether a column of ClickHouse type {@code type} (as {@code system.columns} shows it, e.g.
     * {@code LowCardinality(String)}, {@code Nullable(DateTime64(3, 'UTC'))}) takes this kind.
     */
    public boolean accepts(String type) {
      String bare = unwrap(type);
      return typePrefixes.stream().anyMatch(bare::startsWith);
    }

    /** {@code type} without {@code Nullable(…)} and {@code LowCardinality(…)} around it. */
    static String unwrap(String type) {
      String bare = type;
      for (String wrapper : List.of("Nullable(", "LowCardinality(")) {
        while (bare.startsWith(wrapper) && bare.endsWith(")")) {
          bare = bare.substring(wrapper.length(), bare.length() - 1);
        }
      }
      return bare;
    }
  }

  /**
   * One column written.
   *
   * @param name the column's name in the table
   * @param kind what is bound to it
   * @param elementType for {@link Kind#ARRAY}, the ClickHouse element type the array is sent as
   *     (e.g. {@code UInt64}); else null
   * @param nullable whether a row may bind SQL NULL to it (then the column must be {@code
   *     Nullable})
   * @param binder binds a row's value as the parameter at an index
   */
  public record Column<T>(
      String name, Kind kind, String elementType, boolean nullable, Binder<T> binder)
      implements Serializable {

    /** Requires a name, kind and binder, and an element type for arrays only. */
    public Column {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(binder, "binder");
      if ((kind == Kind.ARRAY) != (elementType != null)) {
        throw new IllegalArgumentException(
            "column " + name + ": an element type for arrays, and only for arrays");
      }
    }

    /**
     * Whether a column of ClickHouse type {@code type} takes what this column binds: its kind (for
     * arrays, its element type too), and NULL only if it is {@code Nullable}.
     */
    public boolean fits(String type) {
      if (!kind.accepts(type) || (nullable && !type.startsWith("Nullable("))) {
        return false;
      }
      if (kind != Kind.ARRAY) {
        return true;
      }
      String bare = Kind.unwrap(type);
      String element = Kind.unwrap(bare.substring("Array(".length(), bare.length() - 1));
      return element.equals(elementType);
    }
  }

  /** Binds a row's value of one column as parameter {@code index} of {@code statement}. */
  @FunctionalInterface
  public interface Binder<T> extends Serializable {
    void bind(PreparedStatement statement, int index, T row) throws SQLException;
  }

  /** A serializable getter of a row's value. */
  @FunctionalInterface
  public interface Getter<T, V> extends Serializable {
    V get(T row);
  }

  /** A serializable getter of a row's {@code long} value. */
  @FunctionalInterface
  public interface LongGetter<T> extends Serializable {
    long get(T row);
  }

  /** A serializable getter of a row's {@code int} value. */
  @FunctionalInterface
  public interface IntGetter<T> extends Serializable {
    int get(T row);
  }

  /** A serializable getter of a row's {@code boolean} value. */
  @FunctionalInterface
  public interface BooleanGetter<T> extends Serializable {
    boolean get(T row);
  }

  /** Adds columns in bind order; {@link #build} checks that no column is written twice. */
  public static final class Builder<T> {

    private final String name;
    private final List<Column<T>> columns = new ArrayList<>();
    private boolean binaryRows;

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name");
    }

    /** A column bound by {@code binder}. */
    public Builder<T> column(
        String column, Kind kind, String elementType, boolean nullable, Binder<T> binder) {
      columns.add(new Column<>(column, kind, elementType, nullable, binder));
      return this;
    }

    /** A timestamp, never null. */
    public Builder<T> dateTime(String column, Getter<T, Instant> value) {
      return column(
          column, Kind.DATE_TIME, null, false, (s, i, row) -> s.setObject(i, value.get(row)));
    }

    /** A timestamp or NULL. */
    public Builder<T> nullableDateTime(String column, Getter<T, Instant> value) {
      return column(
          column,
          Kind.DATE_TIME,
          null,
          true,
          (s, i, row) -> {
            Instant instant = value.get(row);
            if (instant == null) {
              s.setNull(i, Types.TIMESTAMP);
            } else {
              s.setObject(i, instant);
            }
          });
    }

    /** A string, never null. */
    public Builder<T> string(String column, Getter<T, String> value) {
      return column(
          column, Kind.STRING, null, false, (s, i, row) -> s.setString(i, value.get(row)));
    }

    /** A string or NULL. */
    public Builder<T> nullableString(String column, Getter<T, String> value) {
      return column(
          column,
          Kind.STRING,
          null,
          true,
          (s, i, row) -> {
            String string = value.get(row);
            if (string == null) {
              s.setNull(i, Types.VARCHAR);
            } else {
              s.setString(i, string);
            }
          });
    }

    /** Bytes, sent unchanged in a binary row (as {@code unhex('…')} in text): any byte survives. */
    public Builder<T> bytes(String column, Getter<T, byte[]> value) {
      // setObject, not setBytes: the driver's binary insert path (0.11.0) ignores setBytes and
      // fails the batch on the missing value; setObject writes the bytes on both paths.
      return column(column, Kind.BYTES, null, false, (s, i, row) -> s.setObject(i, value.get(row)));
    }

    /** A {@code long}. */
    public Builder<T> int64(String column, LongGetter<T> value) {
      return column(column, Kind.INTEGER, null, false, (s, i, row) -> s.setLong(i, value.get(row)));
    }

    /** A {@code Long} or NULL. */
    public Builder<T> nullableInt64(String column, Getter<T, Long> value) {
      return column(
          column,
          Kind.INTEGER,
          null,
          true,
          (s, i, row) -> {
            Long number = value.get(row);
            if (number == null) {
              s.setNull(i, Types.BIGINT);
            } else {
              s.setLong(i, number);
            }
          });
    }

    /** An {@code int}. */
    public Builder<T> int32(String column, IntGetter<T> value) {
      return column(column, Kind.INTEGER, null, false, (s, i, row) -> s.setInt(i, value.get(row)));
    }

    /** A {@code Double} or NULL. */
    public Builder<T> nullableFloat64(String column, Getter<T, Double> value) {
      return column(
          column,
          Kind.FLOAT,
          null,
          true,
          (s, i, row) -> {
            Double number = value.get(row);
            if (number == null) {
              s.setNull(i, Types.DOUBLE);
            } else {
              s.setDouble(i, number);
            }
          });
    }

    /** A {@code boolean}. */
    public Builder<T> bool(String column, BooleanGetter<T> value) {
      return column(
          column, Kind.BOOLEAN, null, false, (s, i, row) -> s.setBoolean(i, value.get(row)));
    }

    /** A {@code long[]} as an array of {@code elementType} (e.g. {@code UInt64}, {@code Int64}). */
    public Builder<T> longArray(String column, String elementType, Getter<T, long[]> value) {
      return array(
          column, elementType, row -> Arrays.stream(value.get(row)).boxed().toArray(Long[]::new));
    }

    /** An {@code int[]} as an array of {@code elementType} (e.g. {@code UInt16}). */
    public Builder<T> intArray(String column, String elementType, Getter<T, int[]> value) {
      return array(
          column,
          elementType,
          row -> Arrays.stream(value.get(row)).boxed().toArray(Integer[]::new));
    }

    /** A {@code String[]} as an {@code Array(String)}. */
    public Builder<T> stringArray(String column, Getter<T, String[]> value) {
      return array(column, "String", value::get);
    }

    private Builder<T> array(String column, String elementType, Getter<T, Object[]> elements) {
      return column(
          column,
          Kind.ARRAY,
          elementType,
          false,
          (s, i, row) ->
              s.setArray(i, s.getConnection().createArrayOf(elementType, elements.get(row))));
    }

    /**
     * The columns of {@code other}, in its order, bound from the part of a row {@code part} gives:
     * for a table that extends another's columns (cx_driver_window those of cx_survey_window).
     */
    public <U> Builder<T> columnsOf(ClickHouseTable<U> other, Getter<T, U> part) {
      for (Column<U> c : other.columns()) {
        Binder<U> binder = c.binder();
        column(
            c.name(),
            c.kind(),
            c.elementType(),
            c.nullable(),
            (s, i, row) -> binder.bind(s, i, part.get(row)));
      }
      return this;
    }

    /**
     * Rows go to the table as binary {@code RowBinary} data ({@link
     * ClickHouseSinks#ROW_BINARY_INSERTS}), several times faster than text. Only for a declaration
     * of every column of the table in the table's order: the driver's binary insert names no
     * columns. {@code ClickHouseTablesITCase} checks that against the migrated table.
     */
    public Builder<T> binaryRows() {
      this.binaryRows = true;
      return this;
    }

    /**
     * The declaration.
     *
     * @throws IllegalArgumentException without columns or with a column written twice
     */
    public ClickHouseTable<T> build() {
      if (columns.isEmpty()) {
        throw new IllegalArgumentException("table " + name + ": no columns");
      }
      Set<String> names = new HashSet<>();
      for (Column<T> c : columns) {
        if (!names.add(c.name())) {
          throw new IllegalArgumentException("table " + name + ": column " + c.name() + " twice");
        }
      }
      return new ClickHouseTable<>(name, columns, binaryRows);
    }
  }
}
