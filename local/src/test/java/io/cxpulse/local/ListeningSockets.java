package io.cxpulse.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets this process listens on, as the Linux kernel lists them: the LISTEN entries of
 * {@code /proc/net/tcp} and {@code /proc/net/tcp6} whose inode is one of this process's open
 * sockets ({@code /proc/self/fd} links named {@code socket:[inode]}). Whatever opened them, Java,
 * Netty, Pekko or native code, the kernel's word on where each one accepts connections.
 */
record ListeningSockets(List<Listener> listeners) {

  /** One listening socket: the local address it accepts on, its port and its socket inode. */
  record Listener(InetAddress address, int port, long inode) {

    /** Whether only this machine can connect: 127.0.0.0/8, {@code ::1} or IPv4-mapped loopback. */
    boolean onLoopback() {
      return address.isLoopbackAddress();
    }

    /** Whether it accepts on every interface ({@code 0.0.0.0} or {@code ::}). */
    boolean onAllInterfaces() {
      return address.isAnyLocalAddress();
    }

    @Override
    public String toString() {
      return address.getHostAddress() + ":" + port;
    }
  }

  /** The kernel's state number for LISTEN in {@code /proc/net/tcp*}. */
  private static final String LISTEN = "0A";

  static ListeningSockets ofThisProcess() throws IOException {
    Set<Long> ownSockets = ownSocketInodes();
    List<Listener> listeners = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      // The first line names the columns.
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.trim().split("\\s+");
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        if (!fields[3].equals(LISTEN)) {
          continue;
        }
        long inode = Long.parseLong(fields[9]);
        if (ownSockets.contains(inode)) {
          String[] local = fields[1].split(":");
          listeners.add(new Listener(address(local[0]), Integer.parseInt(local[1], 16), inode));
        }
      }
    }
    return new ListeningSockets(List.copyOf(listeners));
  }

  /** The listeners that were not open in {@code before}. */
  ListeningSockets openedSince(ListeningSockets before) {
    Set<Long> old = new HashSet<>();
    before.listeners.forEach(listener -> old.add(listener.inode()));
    return new ListeningSockets(
        listeners.stream().filter(listener -> !old.contains(listener.inode())).toList());
  }

  List<Integer> ports() {
    return listeners.stream().map(Listener::port).toList();
  }

  private static Set<Long> ownSocketInodes() throws IOException {
    Set<Long> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException closedMeanwhile) {
          continue;
        }
        if (target.startsWith("socket:[")) {
          inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
        }
      }
    }
    return inodes;
  }

  /**
   * An address as {@code /proc/net/tcp*} prints it: the bytes in hex, each 32-bit word in the
   * machine's byte order.
   */
  private static InetAddress address(String hex) throws UnknownHostException {
    byte[] bytes = HexFormat.of().parseHex(hex);
    for (int word = 0;
        ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN && word < bytes.length;
        word += 4) {
      for (int i = 0; i < 2; i++) {
        byte swap = bytes[word + i];
        bytes[word + i] = bytes[word + 3 - i];
        bytes[word + 3 - i] = swap;
      }
    }
    // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) comes back as the IPv4 address.
    return InetAddress.getByAddress(bytes);
  }
}
