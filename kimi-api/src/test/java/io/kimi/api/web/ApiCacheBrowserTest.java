package io.kimi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.testing.Reply;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The page's REST client in headless Chromium against a real server: a view shown again reuses the answer it
 * had while nothing changed, and a live message that changes it (a proxied request) makes the page ask again
 * and show the new figures.
 */
class ApiCacheBrowserTest extends BrowserTestBase {
    /** Counts the page's requests to the sessions list from now on (the client calls the global fetch). */
    private void countSessionListFetches() {
        browser.js("window.__listFetches = 0; const original = window.fetch;"
                + "window.fetch = (...args) => { if (String(args[0]).includes('/api/sessions?')) {"
                + " window.__listFetches += 1; } return original(...args); };");
    }

    private long listFetches() {
        return browser.jsLong("return window.__listFetches");
    }

    private void showSessions() {
        browser.driver.findElement(By.id("tab-sessions")).click();
        browser.waitFor(WAIT, "the sessions list is drawn", d ->
                d.findElement(By.id("view-sessions")).isDisplayed()
                        && d.findElement(By.id("sessions-list")).getAttribute("aria-busy") == null
                        && !text("sessions-pager").isEmpty());
    }

    @Test
    void aViewShownAgainReusesItsAnswerUntilALiveMessageChangesIt() {
        fake.enqueue(Reply.chatCompletion("un", 1000, 50), Reply.chatCompletion("deux", 1000, 50));
        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        open("/");
        // The server's init (which makes every stored answer stale) has been applied.
        browser.waitFor(WAIT, "the active session from init", d ->
                Boolean.TRUE.equals(browser.js("return window.kimiDashboard.state.active !== null")));
        countSessionListFetches();

        showSessions();
        assertThat(plain(text("sessions-list"))).contains("1 050");
        assertThat(listFetches()).isEqualTo(1);

        browser.driver.findElement(By.id("tab-overview")).click();
        showSessions();
        assertThat(listFetches()).as("shown again, nothing changed: the stored answer").isEqualTo(1);

        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        browser.waitFor(WAIT, "the list asked again after the live metric, with the new total", d ->
                listFetches() >= 2 && plain(text("sessions-list")).contains("2 100"));
        assertThat(severe()).as("console errors").isEmpty();
    }
}
