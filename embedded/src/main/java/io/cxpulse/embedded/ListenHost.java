package io.cxpulse.embedded;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The host a server listens on, as the user gave it, and what a client on this machine connects to:
 * the same host, except for a wildcard ({@code 0.0.0.0}, {@code ::}), which tells a server to
 * listen on every interface but is no address to open (a URL naming it is useless in a browser on
 * most systems and from any other machine), so clients use {@link #LOOPBACK}.
 */
public final class ListenHost {

  /** Where clients of this machine reach a server that listens on every interface. */
  public static final String LOOPBACK = "127.0.0.1";

  private ListenHost() {}

  /** Whether {@code host} means every interface ({@code 0.0.0.0}, {@code ::}). */
  public static boolean isWildcard(String host) {
    try {
      return InetAddress.getByName(host).isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The host a client on this machine connects to for a server listening on {@code host}. */
  public static String clientHost(String host) {
    return isWildcard(host) ? LOOPBACK : host;
  }

  /**
   * {@code host:port} for a URL to a server listening on {@code host}: the client host, an IPv6
   * literal in brackets ({@code ::1} alone made {@code http://::1:8123/}, which no client parses).
   */
  public static String urlAuthority(String host, int port) {
    String client = clientHost(host);
    boolean bareIpv6 = client.contains(":") && !client.startsWith("[");
    return (bareIpv6 ? "[" + client + "]" : client) + ":" + port;
  }
}
