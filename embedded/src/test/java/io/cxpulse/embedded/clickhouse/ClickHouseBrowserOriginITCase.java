package io.cxpulse.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * What a real browser lets web pages do with the embedded server's HTTP interface: a page of
 * another origin can neither run SQL through it nor read its answers, even knowing a writer's
 * password, while a page of an allowed origin (the future dashboard) queries it.
 *
 * <p>Why a browser and not requests with an {@code Origin} header ({@link
 * ClickHouseHttpInterfaceITCase} has those): what matters is what the browser really sends for a
 * page (which requests go out without a CORS preflight, which headers they carry) and what it then
 * lets the page see. Both sites are on loopback like the server, so Chromium's own protection of
 * local addresses from public pages plays no part: only the server's origin check stands between
 * the page and the engine.
 *
 * <p>Drives Debian's headless Chromium through its chromedriver (scripts/setup.sh installs both).
 */
class ClickHouseBrowserOriginITCase {

  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private static final String WRITER = "cx_writer";
  private static final String WRITER_PASSWORD = "w-browser-secret";

  @TempDir static Path dataDir;
  @TempDir static Path browserProfile;

  /** Pages of the allowed origin, as the dashboard will serve them. */
  private static HttpServer dashboardSite;

  /** Pages of any other site the user visits. */
  private static HttpServer otherSite;

  private static final Map<String, String> OTHER_SITE_PAGES = new ConcurrentHashMap<>();

  private static EmbeddedClickHouse clickHouse;
  private static ChromeDriver browser;

  @BeforeAll
  static void start() throws Exception {
    dashboardSite = site(Map.of("/", page("dashboard", "")));
    otherSite = site(OTHER_SITE_PAGES);
    clickHouse =
        EmbeddedClickHouse.builder()
            .dataDir(dataDir)
            .port(0)
            .user(WRITER, WRITER_PASSWORD, false)
            .allowedOrigin(origin(dashboardSite))
            .start();
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE visits (id UInt32, source String) ENGINE = MergeTree ORDER BY id");
    }
    OTHER_SITE_PAGES.put("/", page("elsewhere", ""));
    // The classic cross-site request forgery: a form the page submits itself, into a frame so that
    // the page stays and can tell when the answer came. A text/plain form sends "name=value", so
    // the statement is the field's name and a comment swallows the "=".
    OTHER_SITE_PAGES.put(
        "/form",
        page(
            "elsewhere, with a form",
            """
            <iframe name="answer"></iframe>
            <form method="post" enctype="text/plain" target="answer" action="%s">
              <input type="hidden" name="INSERT INTO visits VALUES (2, 'form') --" value="">
            </form>
            """
                .formatted(htmlAttribute(writerUrlWithPassword()))));

    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    // No sandbox: Chromium's refuses to start as root, which tests and CI run as here. Without the
    // background networking flags Chromium keeps dialling out to Google's services, which this
    // machine's closed network answers slowly or never.
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + browserProfile);
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.quit();
    }
    if (clickHouse != null) {
      clickHouse.close();
    }
    for (HttpServer site : new HttpServer[] {dashboardSite, otherSite}) {
      if (site != null) {
        site.stop(0);
      }
    }
  }

  @Test
  void aPageOfAnotherOriginCannotRunSqlWithFetch() throws Exception {
    browser.get(origin(otherSite) + "/");
    // A POST of a string is a "simple" request: the browser sends it without asking the server
    // first (no preflight) and only afterwards decides whether the page may see the answer.
    Map<String, Object> cors =
        inPage(
            """
                const [url, sql, done] = arguments;
                fetch(url, {method: 'POST', body: sql}).then(
                    response => response.text().then(
                        body => done({outcome: 'read', status: response.status, body})),
                    error => done({outcome: 'rejected', error: String(error)}));
                """,
            writerUrlWithPassword(),
            "INSERT INTO visits VALUES (1, 'fetch')");
    assertThat(cors).as("the page's fetch").containsEntry("outcome", "rejected");

    // no-cors: the page gives up reading the answer, and the browser sends the request anyway.
    Map<String, Object> opaque =
        inPage(
            """
                const [url, sql, done] = arguments;
                fetch(url, {method: 'POST', mode: 'no-cors', body: sql}).then(
                    response => response.text().then(
                        body => done({outcome: response.type, status: response.status, body})),
                    error => done({outcome: 'rejected', error: String(error)}));
                """,
            writerUrlWithPassword(),
            "INSERT INTO visits VALUES (1, 'no-cors fetch')");
    assertThat(opaque)
        .as("the page's no-cors fetch")
        .containsEntry("outcome", "opaque")
        .containsEntry("body", "");

    // Each fetch settles only once the answer arrived, so the engine is done with the statement.
    assertThat(rowsWithId(1)).as("rows the fetches inserted").isZero();
  }

  @Test
  void aPageOfAnotherOriginCannotRunSqlWithAForm() throws Exception {
    browser.get(origin(otherSite) + "/form");
    // The frame's load event says the answer came; a frame that turns the answer into a download
    // (what an INSERT's empty tab-separated answer becomes when the server takes the request) never
    // fires it, hence the bound.
    Object shown =
        browser.executeAsyncScript(
            """
            const done = arguments[arguments.length - 1];
            document.querySelector('iframe').addEventListener('load', () => done('answer shown'));
            setTimeout(() => done('no answer shown'), 10000);
            document.querySelector('form').submit();
            """);
    assertThat(rowsWithId(2)).as("rows the form inserted").isZero();
    // The form did go out and was answered (refused): the check above was not vacuous.
    assertThat(shown).isEqualTo("answer shown");
  }

  @Test
  void aPageOfTheAllowedOriginQueries() throws Exception {
    browser.get(origin(dashboardSite) + "/");
    String authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((WRITER + ":" + WRITER_PASSWORD).getBytes(StandardCharsets.UTF_8));
    // An Authorization header is not one a simple request may carry: the browser asks the server
    // first (a CORS preflight) and sends the query only if the answer allows it.
    String script =
        """
        const [url, authorization, sql, done] = arguments;
        fetch(url, {method: 'POST', headers: {'Authorization': authorization}, body: sql}).then(
            response => response.text().then(
                body => done({outcome: 'read', status: response.status, body})),
            error => done({outcome: 'rejected', error: String(error)}));
        """;
    Map<String, Object> insert =
        inPage(
            script,
            clickHouse.httpUrl(),
            authorization,
            "INSERT INTO visits VALUES (3, 'dashboard')");
    assertThat(insert).containsEntry("outcome", "read").containsEntry("status", 200L);
    assertThat(rowsWithId(3)).as("rows the dashboard inserted").isEqualTo(1);

    Map<String, Object> select =
        inPage(
            script,
            clickHouse.httpUrl(),
            authorization,
            "SELECT id, source FROM visits WHERE id = 3 FORMAT JSONEachRow");
    assertThat(select)
        .containsEntry("outcome", "read")
        .containsEntry("status", 200L)
        .containsEntry("body", "{\"id\":3,\"source\":\"dashboard\"}\n");
  }

  /** Runs {@code script} in the current page and returns what it passed to its callback. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> inPage(String script, Object... arguments) {
    return (Map<String, Object>) browser.executeAsyncScript(script, arguments);
  }

  /** The server's URL with the writer's name and password as URL parameters, as a page sends. */
  private static String writerUrlWithPassword() {
    return clickHouse.httpUrl() + "?user=" + WRITER + "&password=" + WRITER_PASSWORD;
  }

  private static long rowsWithId(int id) throws Exception {
    try (Connection connection = connect();
        ResultSet rs =
            connection
                .createStatement()
                .executeQuery("SELECT count() FROM visits WHERE id = " + id)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }

  private static Connection connect() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("user", WRITER);
    properties.setProperty("password", WRITER_PASSWORD);
    return DriverManager.getConnection(clickHouse.jdbcUrl(), properties);
  }

  /** A site on a loopback port of its own: its own origin. */
  private static HttpServer site(Map<String, String> pages) throws Exception {
    HttpServer site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    site.createContext(
        "/",
        exchange -> {
          try (exchange) {
            String html = pages.get(exchange.getRequestURI().getPath());
            byte[] body = (html == null ? "" : html).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(html == null ? 404 : 200, body.length == 0 ? -1 : 0);
            if (body.length > 0) {
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
              }
            }
          }
        });
    site.start();
    return site;
  }

  private static String origin(HttpServer site) {
    return "http://127.0.0.1:" + site.getAddress().getPort();
  }

  private static String page(String title, String body) {
    return "<!doctype html><meta charset=\"utf-8\"><title>" + title + "</title>\n" + body;
  }

  private static String htmlAttribute(String text) {
    return text.replace("&", "&amp;").replace("\"", "&quot;");
  }
}
