package io.cxpulse.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.cxpulse.local.dashboards.Dashboards;
import io.cxpulse.local.dashboards.Dashboards.Dashboard;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Local mode's dashboard page in a real browser (Debian's headless Chromium through its
 * chromedriver, both installed by scripts/setup.sh), against a live local mode ({@link
 * LiveLocalModeITCase}): every dashboard loads without a console error, every panel draws a chart
 * or table with data, changing the channel changes what the channel's panels draw, and a screenshot
 * of each dashboard is written to {@code local/target/dashboards/}.
 */
abstract class DashboardPageChecks {

  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  private static final Duration DRAWN_WITHIN = Duration.ofSeconds(90);
  static final Path SCREENSHOTS = LiveLocalModeITCase.REPO_DIR.resolve("local/target/dashboards");

  @TempDir Path browserProfile;

  private ChromeDriver browser;

  @BeforeEach
  void openBrowser() throws Exception {
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    // As in ClickHouseBrowserOriginITCase: no sandbox (tests run as root), no calls home.
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
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    browser = new ChromeDriver(service, options);
    browser.manage().window().setSize(new Dimension(1600, 1800));
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    Files.createDirectories(SCREENSHOTS);
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void everyDashboardDrawsEveryPanelWithoutAConsoleError() throws Exception {
    for (Dashboard dashboard : Dashboards.fromClasspath().all()) {
      // Refresh off: what is drawn stays put while it is checked.
      browser.get(pageUrl() + "d/" + dashboard.uid() + "?refresh=");
      waitUntilEveryPanelDrew(dashboard);
      for (WebElement panel : browser.findElements(By.cssSelector("section.panel"))) {
        assertThat(panel.getAttribute("data-state"))
            .as(
                "panel %s '%s' of %s",
                panel.getAttribute("id"),
                panel.findElement(By.tagName("h2")).getText(),
                dashboard.uid())
            .isEqualTo("drawn");
        assertThat(Integer.parseInt(panel.getAttribute("data-rows"))).isPositive();
        String type = panel.getAttribute("data-type");
        if (type.equals("table")) {
          assertThat(panel.findElements(By.cssSelector("tbody tr"))).isNotEmpty();
        } else {
          assertThat(panel.findElements(By.tagName("canvas")).isEmpty() && !type.equals("stat"))
              .as("%s %s drew a chart", dashboard.uid(), panel.getAttribute("id"))
              .isFalse();
        }
      }
      Files.write(
          SCREENSHOTS.resolve(dashboard.uid() + ".png"), browser.getScreenshotAs(OutputType.BYTES));
      assertThat(consoleErrors()).as("console errors on %s", dashboard.uid()).isEmpty();
    }
  }

  @Test
  void changingTheChannelChangesWhatTheScorePanelsDraw() throws Exception {
    Dashboard scores = Dashboards.fromClasspath().get("cx-scores").orElseThrow();
    browser.get(pageUrl() + "d/cx-scores?refresh=&from=now-15m");
    waitUntilEveryPanelDrew(scores);
    List<String> channelPanels =
        scores.queries().stream()
            .filter(
                query ->
                    query.rawSql().contains("${channel:singlequote}")
                        && query.key().startsWith("panel-"))
            .map(query -> query.key())
            .toList();
    assertThat(channelPanels).isNotEmpty();
    Map<String, String> before = signatures(channelPanels);
    int refreshed = refreshes();

    browser.findElement(By.cssSelector("#var-channel option[value='web']")).click();
    waitUntil(() -> refreshes() > refreshed, "every panel to redraw for channel web");
    Map<String, String> after = signatures(channelPanels);
    for (String panel : channelPanels) {
      assertThat(after.get(panel))
          .as("%s after choosing channel web", panel)
          .isNotEqualTo(before.get(panel));
    }
    assertThat(browser.getCurrentUrl()).contains("var-channel=web");
    assertThat(consoleErrors()).isEmpty();
  }

  /**
   * The query endpoint runs nothing the page would not send: a variable value that is not one of
   * the variable's options, a request from another origin, one not sent as JSON, or one naming
   * another host are refused, while the page's own request answers.
   */
  @Test
  void theQueryEndpointRefusesWhatThePageWouldNotSend() throws Exception {
    long now = System.currentTimeMillis();
    String request =
        "{\"dashboard\":\"cx-scores\",\"query\":\"panel-4\",\"from\":"
            + (now - 900_000)
            + ",\"to\":"
            + now
            + ",\"variables\":{\"grain\":%s}}";
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.util.function.BiFunction<String, Map<String, String>, Integer> post =
        (body, headers) -> {
          var builder =
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(pageUrl() + "api/query"))
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
          headers.forEach(builder::header);
          try {
            return http.send(builder.build(), java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    Map<String, String> json = Map.of("Content-Type", "application/json");
    assertThat(post.apply(request.formatted("\"minute\""), json)).isEqualTo(200);
    assertThat(post.apply(request.formatted("\"minute UNION ALL SELECT 1\""), json)).isEqualTo(400);
    assertThat(
            post.apply(
                request.formatted("\"minute\""),
                Map.of("Content-Type", "application/json", "Origin", "http://elsewhere.example")))
        .isEqualTo(403);
    assertThat(post.apply(request.formatted("\"minute\""), Map.of("Content-Type", "text/plain")))
        .isEqualTo(403);
  }

  /** How many times the page finished drawing every panel. */
  private int refreshes() {
    String refreshed = browser.findElement(By.tagName("body")).getAttribute("data-refreshed");
    return refreshed == null ? 0 : Integer.parseInt(refreshed);
  }

  private Map<String, String> signatures(List<String> panels) {
    return panels.stream()
        .collect(
            Collectors.toMap(
                panel -> panel,
                panel ->
                    String.valueOf(
                        browser.findElement(By.id(panel)).getAttribute("data-signature"))));
  }

  private void waitUntilEveryPanelDrew(Dashboard dashboard) throws InterruptedException {
    waitUntil(() -> allDrawn(dashboard), "every panel of " + dashboard.uid() + " to draw");
  }

  /** Polls {@code condition} (selenium-support's waits are not among the test dependencies). */
  private static void waitUntil(BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + DRAWN_WITHIN.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + DRAWN_WITHIN + " for " + what);
      }
      Thread.sleep(250);
    }
  }

  private boolean allDrawn(Dashboard dashboard) {
    List<WebElement> panels = browser.findElements(By.cssSelector("section.panel"));
    long panelCount =
        dashboard.queries().stream().filter(query -> query.key().startsWith("panel-")).count();
    return panels.size() == panelCount
        && refreshes() > 0
        && panels.stream().noneMatch(panel -> "loading".equals(panel.getAttribute("data-state")));
  }

  private List<String> consoleErrors() {
    return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }

  private static String pageUrl() {
    return LiveLocalModeITCase.localMode.dashboards.url();
  }
}
