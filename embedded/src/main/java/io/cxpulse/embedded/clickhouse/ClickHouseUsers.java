package io.cxpulse.embedded.clickhouse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * Who may query the embedded server: users with a password, each allowed to write or only to read.
 * None at all means an open server, as the tests use it; local mode always configures some.
 *
 * @param users by name
 */
public record ClickHouseUsers(Map<String, User> users) {

  /**
   * One user.
   *
   * @param readOnly whether the user may only read: every query runs with {@code readonly = 2}
   *     (settings may change, data and {@code readonly} itself may not), as a GET request does
   */
  public record User(String name, String password, boolean readOnly) {
    @Override
    public String toString() {
      return "User[name=" + name + ", readOnly=" + readOnly + "]";
    }
  }

  /** An open server: no user is checked. */
  public static final ClickHouseUsers OPEN = new ClickHouseUsers(Map.of());

  public ClickHouseUsers {
    users = Map.copyOf(users);
  }

  public boolean isOpen() {
    return users.isEmpty();
  }

  /**
   * The user {@code name} if {@code password} is theirs. Compared in constant time, so the answer
   * time does not tell how much of a guessed password was right.
   */
  public Optional<User> authenticate(String name, String password) {
    User user = users.get(name);
    byte[] given = (password == null ? "" : password).getBytes(StandardCharsets.UTF_8);
    byte[] expected =
        (user == null ? "\u0000no such user" : user.password()).getBytes(StandardCharsets.UTF_8);
    boolean matches = MessageDigest.isEqual(given, expected);
    return user != null && matches ? Optional.of(user) : Optional.empty();
  }
}
