package io.kimi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.Event;
import io.kimi.services.widgets.Widget;
import io.kimi.services.widgets.WidgetState;
import io.kimi.testing.Reply;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.TimeoutException;

/**
 * The page on a phone-sized screen in headless Chromium against a real server: every view fits 360 px, and the
 * strips that scroll sideways say so. Screenshots go to {@code kimi-api/target/screenshots/}.
 */
class MobileBrowserTest extends BrowserTestBase {
    private static final List<String> VIEWS = List.of("overview", "context", "sessions", "convergence", "widgets");

    private final Instant loopStart = Instant.now();
    private int eventSequence;

    @Test
    void everyViewFitsA360PixelScreenAndTheStripsThatScrollSidewaysSaySo() {
        server = PageServer.start(dir, fake.baseUrl(), 0, false);
        server.server.widgets().register("modeles", () -> new Widget() {
            @Override
            public boolean onEvent(Event event) {
                return false;
            }

            @Override
            public WidgetState render() {
                return WidgetState.table(Map.of("columns", List.of("modèle", "fournisseur", "fenêtre", "prix entrée",
                        "prix sortie"), "rows", List.of(List.of("kimi-k2-0905-preview", "moonshot", 262144, 0.6, 2.5))));
            }
        });
        fake.enqueue(Reply.chatCompletion("Bonjour", 1500, 300));
        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        // A convergence loop with a long target and every step timed: the select and the step table are wide.
        String loop = "loop-narrow";
        postEvent(loop, 0, "IDLE", "SESSION_STARTED", "{\"target\":\"api-gateway-production-cluster-eu-west-1\"}");
        List<String> steps = List.of("diagnose", "fix", "attack", "validate");
        List<String> states = List.of("DIAGNOSING", "FIXING", "ATTACKING", "VALIDATING");
        for (int i = 0; i < steps.size(); i++) {
            postEvent(loop, 1, states.get(i), "STEP_COMPLETE",
                    "{\"step\":\"" + steps.get(i) + "\",\"duration_seconds\":3725.5,\"findings\":{\"high\":2}}");
        }

        browser.size(360, 800);
        open("/");
        assertThat(browser.jsLong("return window.innerWidth")).isEqualTo(360);
        browser.waitFor(WAIT, "the request", d -> d.findElements(By.cssSelector("#requests-body tr")).size() == 1);

        for (String view : VIEWS) {
            browser.click("#tab-" + view);
            browser.waitFor(WAIT, view + " shown", d -> d.findElement(By.id("view-" + view)).isDisplayed());
            switch (view) {
                case "context" -> browser.waitFor(WAIT, "the features", d ->
                        d.findElements(By.cssSelector("#context-features input[role='switch']")).size() == 4);
                case "sessions" -> browser.waitFor(WAIT, "the sessions list", d ->
                        !d.findElements(By.cssSelector("#sessions-table tbody tr")).isEmpty());
                case "convergence" -> browser.waitFor(WAIT, "the loop's step durations", d ->
                        d.findElements(By.cssSelector("#conv-steps tr[data-step]")).size() == 4);
                case "widgets" -> browser.waitFor(WAIT, "the widget", d ->
                        !d.findElements(By.cssSelector("[data-widget='modeles'] table")).isEmpty());
                default -> { }
            }
            // Charts take the new width asynchronously (Chart.js resizes on its ResizeObserver's next callback).
            try {
                browser.waitFor(WAIT, "no sideways scrolling of the page in " + view + " at 360 px", d ->
                        browser.jsLong("return document.documentElement.scrollWidth - window.innerWidth") <= 0
                        && browser.jsLong("return document.documentElement.scrollWidth"
                                + " - document.documentElement.clientWidth") <= 0);
            } catch (TimeoutException e) {
                browser.screenshot("failed-360px-" + view);
                throw new AssertionError("The page scrolls sideways in " + view + " at 360 px; too wide: "
                        + overflowing(), e);
            }
            browser.screenshot("20-" + view + "-360px");
        }

        // The tab strip is wider than the screen: it says there is more to its right, then to its left.
        browser.click("#tab-overview");
        browser.waitFor(WAIT, "the strip's cue at its end", d -> "end".equals(attr("tabs", "data-overflow")));
        assertCueShown("tabs");
        browser.js("document.getElementById('tabs').scrollLeft = 10000");
        browser.waitFor(WAIT, "the strip's cue at its start", d -> "start".equals(attr("tabs", "data-overflow")));
        assertCueShown("tabs");
        // Selecting a tab brings it into the strip's view.
        browser.driver.findElement(By.id("tab-overview")).sendKeys(Keys.END);
        browser.waitFor(WAIT, "the last tab in view", d -> inStrip("tab-widgets"));
        browser.driver.findElement(By.id("tab-widgets")).sendKeys(Keys.HOME);
        browser.waitFor(WAIT, "the first tab in view", d -> inStrip("tab-overview"));

        // The requests table scrolls inside its card, and says so.
        browser.waitFor(WAIT, "the table's cue", d -> "end".equals(browser.js(
                "return document.querySelector('#view-overview .table-wrap').dataset.overflow")));
        assertThat(browser.js("return getComputedStyle(document.querySelector('#view-overview .table-wrap')).backgroundImage"))
                .asString().contains("linear-gradient");
        browser.js("const w = document.querySelector('#view-overview .table-wrap'); w.scrollLeft = w.scrollWidth / 3");
        browser.waitFor(WAIT, "the table's cue on both sides", d -> "both".equals(browser.js(
                "return document.querySelector('#view-overview .table-wrap').dataset.overflow")));

        // Wide again: nothing scrolls sideways, no cue.
        browser.size(1280, 1000);
        browser.waitFor(WAIT, "no cue when everything fits", d -> attr("tabs", "data-overflow") == null);
        assertThat(severe()).as("console errors").isEmpty();
    }

    private void assertCueShown(String id) {
        assertThat(browser.js("return getComputedStyle(document.getElementById(arguments[0])).backgroundImage", id))
                .as("a shadow on the side with more").asString().contains("linear-gradient");
    }

    private boolean inStrip(String tabId) {
        return Boolean.TRUE.equals(browser.js("const s = document.getElementById('tabs').getBoundingClientRect();"
                + "const t = document.getElementById(arguments[0]).getBoundingClientRect();"
                + "return t.left >= s.left - 1 && t.right <= s.right + 1;", tabId));
    }

    /** The elements sticking out to the right of the screen (not those inside a scroller), to say what is too wide. */
    private Object overflowing() {
        return browser.js("const inScroller = e => { for (let p = e.parentElement; p && p !== document.body;"
                + " p = p.parentElement) { if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };"
                + "return [...document.querySelectorAll('body *')].filter(e => {"
                + " const r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 0.5"
                + " && !inScroller(e); }).slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
                + " + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.') : '')"
                + " + ' ' + Math.round(e.getBoundingClientRect().right))");
    }

    private void postEvent(String session, int iteration, String state, String type, String data) {
        eventSequence++;
        String json = "{\"event_id\":\"" + session + "-" + eventSequence + "\",\"session_id\":\"" + session
                + "\",\"timestamp\":\"" + loopStart.plusSeconds(eventSequence) + "\",\"iteration\":" + iteration
                + ",\"state\":\"" + state + "\",\"event_type\":\"" + type + "\",\"data\":" + data + "}";
        assertThat(server.post("/api/events", json).statusCode()).as(type + " accepted").isEqualTo(200);
    }
}
