package io.cxpulse.jobs.pipeline;

import java.lang.reflect.Proxy;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link PreparedStatement} that records what is bound to each parameter, for checking statement
 * builders without a database. {@code setNull} records the SQL type as a {@link Null}; arrays made
 * with {@code getConnection().createArrayOf} record as {@link RecordedArray}.
 */
public final class RecordingStatement {

  /** A parameter set to SQL NULL of {@code sqlType}. */
  public record Null(int sqlType) {}

  /** An array created through the statement's connection. */
  public record RecordedArray(String typeName, Object[] elements) {}

  private final Map<Integer, Object> parameters = new TreeMap<>();
  private final PreparedStatement statement;

  public RecordingStatement() {
    Connection connection =
        (Connection)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("createArrayOf")) {
                    RecordedArray recorded =
                        new RecordedArray((String) args[0], (Object[]) args[1]);
                    return Proxy.newProxyInstance(
                        getClass().getClassLoader(),
                        new Class<?>[] {Array.class, Recorded.class},
                        (p, m, a) -> m.getName().equals("recorded") ? recorded : null);
                  }
                  throw new UnsupportedOperationException(method.getName());
                });
    statement =
        (PreparedStatement)
            Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {PreparedStatement.class},
                (proxy, method, args) -> {
                  String name = method.getName();
                  if (name.equals("getConnection")) {
                    return connection;
                  }
                  if (name.equals("setNull")) {
                    parameters.put((Integer) args[0], new Null((Integer) args[1]));
                    return null;
                  }
                  if (name.equals("setArray")) {
                    parameters.put((Integer) args[0], ((Recorded) args[1]).recorded());
                    return null;
                  }
                  if (name.startsWith("set") && args != null && args.length == 2) {
                    parameters.put((Integer) args[0], args[1]);
                    return null;
                  }
                  throw new UnsupportedOperationException(name);
                });
  }

  /** Lets the array proxy hand back what was recorded. */
  public interface Recorded {
    RecordedArray recorded();
  }

  /** The statement to pass to a statement builder. */
  public PreparedStatement statement() {
    return statement;
  }

  /** Bound values by 1-based parameter index. */
  public Map<Integer, Object> parameters() {
    return parameters;
  }
}
