package io.kimi.api.web;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its own chromedriver (never a downloaded browser: Selenium Manager
 * is not involved because both paths are given). Paths come from {@code CHROMIUM_BIN} / {@code CHROMEDRIVER_BIN},
 * else {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}. When they are missing the tests are skipped
 * with how to install them, except under {@code CI=true}, where that is a failure.
 */
final class Browser implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Starts Chromium, or skips (fails in CI) when it is not installed. */
    static Browser start() {
        String chromium = env("CHROMIUM_BIN", "/usr/bin/chromium");
        String chromedriver = env("CHROMEDRIVER_BIN", "/usr/bin/chromedriver");
        boolean present = Files.isExecutable(Path.of(chromium)) && Files.isExecutable(Path.of(chromedriver));
        if (!present) {
            String message = "Browser tests need Chromium and its driver (looked for " + chromium + " and "
                    + chromedriver + "). Install them with: sudo apt-get install chromium chromium-driver "
                    + "(or set CHROMIUM_BIN and CHROMEDRIVER_BIN).";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            System.err.println("SKIPPED: " + message);
            Assumptions.abort(message);
        }
        // Selenium looks for a CDP module matching Chromium's version; the tests use none, so the warning is noise.
        Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder").setLevel(Level.OFF);
        try {
            Path profile = Files.createTempDirectory("kimi-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(chromium);
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,1000",
                    "--lang=fr-FR");
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(new File(chromedriver))
                    .usingAnyFreePort()
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
            return new Browser(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    long jsLong(String script, Object... args) {
        Object v = js(script, args);
        return v instanceof Number n ? n.longValue() : -1;
    }

    <T> T waitFor(Duration timeout, String what, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(20)).withMessage(what)
                .ignoring(StaleElementReferenceException.class).until(condition);
    }

    /** Clicks the element matching {@code css}, again if a live redraw replaced it between finding and clicking. */
    void click(String css) {
        waitFor(Duration.ofSeconds(10), "click " + css, d -> {
            d.findElement(By.cssSelector(css)).click();
            return true;
        });
    }

    /** Browser console entries since the last call (reading clears them). */
    List<LogEntry> console() {
        return driver.manage().logs().get(LogType.BROWSER).getAll();
    }

    Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            deleteQuietly(profile);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp profile is harmless; say so rather than hide it.
            System.err.println("Could not delete Chromium profile " + dir + ": " + e);
        }
    }
}
