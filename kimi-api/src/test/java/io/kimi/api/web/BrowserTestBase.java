package io.kimi.api.web;

import io.kimi.api.testing.KimiServerExtension;
import io.kimi.testing.FakeUpstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.logging.LogEntry;

/**
 * What the browser tests share: one headless Chromium for the class (starting it is the slow part), a fresh
 * {@link FakeUpstream}, database and server per test ({@link KimiServerExtension}, closed after each test),
 * a screenshot and the browser console when a test fails, and reading the page.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BrowserTestBase {
    static final Duration WAIT = Duration.ofSeconds(10);

    Browser browser;
    FakeUpstream fake;

    @RegisterExtension
    final KimiServerExtension server = new KimiServerExtension();

    /** On failure: a screenshot and the browser console, to see what the page showed. */
    @RegisterExtension
    final AfterTestExecutionCallback onFailure = new AfterTestExecutionCallback() {
        @Override
        public void afterTestExecution(ExtensionContext context) {
            if (browser != null && context.getExecutionException().isPresent()) {
                Path shot = browser.screenshot("failed-" + context.getRequiredTestMethod().getName());
                System.err.println("Screenshot of the failure: " + shot.toAbsolutePath());
                browser.console().forEach(e -> System.err.println("console " + e.getLevel() + ": " + e.getMessage()));
            }
        }
    };

    @BeforeAll
    void startBrowser() {
        browser = Browser.start();
    }

    @AfterAll
    void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @BeforeEach
    void startFake() {
        fake = server.fake();
        browser.size(1280, 1000);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.driver.get("about:blank");
        }
    }

    /** Opens the page of {@link #server} (console cleared first) and waits until it says it is connected. */
    void open(String pathAndQuery) {
        browser.console();
        // No second try: the blank pages once blamed on Chromium were a server that left the previous server's
        // kept-alive connections open on the same port (see ServerStopClosesConnectionsTest).
        browser.driver.get(server.url(pathAndQuery));
        awaitConnected();
    }

    void awaitConnected() {
        browser.waitFor(WAIT, "the page says it is connected", d ->
                "connected".equals(d.findElement(By.id("connection")).getAttribute("data-state")));
    }

    String text(String id) {
        return browser.driver.findElement(By.id(id)).getText();
    }

    String attr(String id, String name) {
        return browser.driver.findElement(By.id(id)).getAttribute(name);
    }

    /** The text with the no-break spaces French typography uses turned into plain spaces. */
    static String plain(String s) {
        return s.replace('\u00a0', ' ').replace('\u202f', ' ');
    }

    /** Console errors since the last read. */
    List<LogEntry> severe() {
        return browser.console().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
    }
}
