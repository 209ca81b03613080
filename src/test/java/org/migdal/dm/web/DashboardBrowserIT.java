package org.migdal.dm.web;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.bench.CatalogGenerator;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.health.Overviews;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real headless Chromium (Debian {@code chromium} and {@code chromium-driver}, paths given, so
 * Selenium Manager is never asked for a driver) over a generated catalog of 100,000 files: the overview and its
 * throughput plot, a search, a file's history, and paging from the first page through the next ones to the last.
 * Screenshots go to {@code target/screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserIT {
    static final int FILES = 100_000;
    static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path dir;

    private JdbcCatalog catalog;
    private WebServer server;
    private ChromeDriver browser;
    private CatalogGenerator.Generated generated;

    @BeforeAll
    void start() throws Exception {
        Path db = dir.resolve("catalog.db");
        generated = CatalogGenerator.sqlite(db, FILES);
        MigdalConfig config = ConfigLoader.parse("""
                catalog: {url: "sqlite:%s"}
                daq: {disks: [{name: data1, path: "%s"}]}
                storage: {disk: "%s", tape: "%s"}
                """.formatted(db, Files.createDirectories(dir.resolve("data1")), dir.resolve("s").toUri(), dir.resolve("t").toUri()), "it.yaml");
        Clock clock;
        try (JdbcCatalog probe = JdbcCatalog.open(config.catalog().url(), null, null, policy(), Clock.systemUTC(), 2)) {
            // an hour after the generated catalog's last progress, so that the 48-hour plots have data
            clock = Clock.fixed(probe.activity().lastProgress().orElseThrow().plus(Duration.ofHours(1)), ZoneOffset.UTC);
        }
        catalog = JdbcCatalog.open(config.catalog().url(), null, null, policy(), clock, 4);
        server = WebServer.start(new Listen("127.0.0.1", 0), new Dashboard(catalog, new Overviews(catalog, config, null, clock), clock, null), null);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File("/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SHOTS);
    }

    private static ClaimPolicy policy() {
        return new ClaimPolicy("browser-it", Duration.ofMinutes(30), 5, Duration.ofMinutes(1));
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
        if (catalog != null) {
            catalog.close();
        }
    }

    @Test
    void overviewSearchHistoryAndPagingInARealBrowser() throws Exception {
        String base = server.url().replaceAll("/$", "");

        browser.get(base + "/");
        assertThat(browser.getTitle()).contains("Overview");
        WebElement plot = browser.findElement(By.cssSelector("svg#throughput"));
        List<WebElement> bars = plot.findElements(By.cssSelector("rect.bar"));
        assertThat(bars).as("bars of the throughput plot").isNotEmpty();
        assertThat(bars.get(0).getRect().getHeight()).as("a bar is drawn with a height").isPositive();
        assertThat(browser.findElements(By.cssSelector("svg#backlog path.line"))).hasSize(1);
        assertThat(browser.findElement(By.id("states")).getText()).contains("ON_TAPE");
        shot("overview");

        CatalogFile wanted = catalog.get(FILES / 2).orElseThrow();
        String name = wanted.lfn().substring(wanted.lfn().lastIndexOf('/') + 1);
        browser.findElement(By.linkText("Files")).click();
        browser.findElement(By.name("q")).sendKeys(name);
        browser.findElement(By.cssSelector("form.search button")).click();
        List<WebElement> found = browser.findElements(By.cssSelector("table#files td.lfn a"));
        assertThat(found).extracting(WebElement::getText).containsExactly(wanted.lfn());
        shot("files-search");

        found.get(0).click();
        assertThat(browser.findElement(By.cssSelector("h2.lfn")).getText()).isEqualTo(wanted.lfn());
        List<WebElement> history = browser.findElements(By.cssSelector("table#history tr"));
        assertThat(history.size() - 1).as("history lines").isEqualTo(catalog.events(wanted.id()).size()).isPositive();
        assertThat(browser.findElement(By.id("history")).getText()).contains("register");
        shot("file-history");

        browser.get(base + "/files?limit=1000");
        long expectedFirst = 1;
        for (int page = 0; page < 3; page++) {
            List<Long> ids = ids();
            assertThat(ids).hasSize(1000);
            assertThat(ids.get(0)).isEqualTo(expectedFirst);
            assertThat(ids.get(999)).isEqualTo(expectedFirst + 999);
            expectedFirst += 1000;
            if (page == 0) {
                shot("files-first");
            }
            browser.findElement(By.id("next")).click();
        }
        browser.findElement(By.id("last")).click();
        List<Long> last = ids();
        assertThat(last).hasSize(1000);
        assertThat(last.get(999)).isEqualTo(generated.files());
        assertThat(browser.findElements(By.id("next"))).as("no next page after the last").isEmpty();
        assertThat(browser.findElement(By.id("summary")).getText()).contains("the last page");
        shot("files-last");
    }

    private List<Long> ids() {
        return browser.findElements(By.cssSelector("table#files td.n:first-child")).stream().map(e -> Long.parseLong(e.getText())).toList();
    }

    private void shot(String name) throws Exception {
        Path to = SHOTS.resolve("dashboard-" + name + ".png");
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), to, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("screenshot: " + to.toAbsolutePath());
    }
}
