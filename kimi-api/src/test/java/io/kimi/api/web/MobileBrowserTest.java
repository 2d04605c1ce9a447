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
 * The page on a phone-sized screen in headless Chromium against a real server: every view fits 360 px, the strips
 * that scroll sideways say so, a swipe (Chromium's touch emulation, touches dispatched through the DevTools
 * protocol) moves between views, chart legends are compact, and views not shown are not loaded. Screenshots go to
 * {@code kimi-api/target/screenshots/}.
 */
class MobileBrowserTest extends BrowserTestBase {
    private static final List<String> VIEWS = List.of("overview", "context", "sessions", "convergence", "widgets");

    private final Instant loopStart = Instant.now();
    private int eventSequence;

    @Test
    void everyViewFitsA360PixelScreenAndTheStripsThatScrollSidewaysSaySo() {
        server.server().widgets().register("modeles", () -> new Widget() {
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

    @Test
    void aSidewaysSwipeOnATouchScreenMovesBetweenViewsButNotFromATableThatScrolls() {
        fake.enqueue(Reply.chatCompletion("Bonjour", 1500, 300));
        try {
            browser.driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", 360, "height", 800, "deviceScaleFactor", 2, "mobile", true));
            browser.driver.executeCdpCommand("Emulation.setTouchEmulationEnabled",
                    Map.of("enabled", true, "maxTouchPoints", 5));
            open("/");
            assertThat(browser.js("return navigator.maxTouchPoints")).as("a touch screen").isEqualTo(5L);
            assertThat(server.chat("kimi-k2")).isEqualTo(200);
            browser.waitFor(WAIT, "the request", d -> d.findElements(By.cssSelector("#requests-body tr")).size() == 1);

            swipe("#gauge", 300, 60, 0);
            browser.waitFor(WAIT, "the next view after a swipe to the left", d -> selected("context"));
            assertThat((String) browser.js("return location.hash")).isEqualTo("#context");
            browser.screenshot("21-swiped-to-context");
            swipe("#view-context .view-head", 60, 300, 0);
            browser.waitFor(WAIT, "the previous view after a swipe to the right", d -> selected("overview"));

            // None of these moves: a swipe to the right from the first view, a vertical drag, and a swipe that
            // starts on the request table, which scrolls sideways at this width. The swipe after them proves it:
            // it goes to the second view.
            swipe("#gauge", 60, 300, 0);
            swipe("#gauge", 180, 190, -250);
            assertThat(browser.js("return document.querySelector('#view-overview .table-wrap').dataset.overflow"))
                    .as("the table scrolls sideways").isEqualTo("end");
            swipe("#view-overview .table-wrap", 300, 60, 0);
            swipe("#gauge", 300, 60, 0);
            browser.waitFor(WAIT, "the second view", d -> selected("context"));
            assertThat(severe()).as("console errors").isEmpty();
        } finally {
            browser.driver.executeCdpCommand("Emulation.setTouchEmulationEnabled", Map.of("enabled", false));
            browser.driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }
    }

    @Test
    void chartLegendsAreCompactBelow768PixelsAndFullAbove() {
        browser.size(360, 800);
        open("/");
        for (String chart : List.of("tokens-chart", "sources-chart")) {
            browser.waitFor(WAIT, chart + "'s compact legend", d -> legendBox(chart) == 8);
            assertThat(browser.jsLong("return Chart.getChart(arguments[0]).options.plugins.legend.labels.font.size", chart))
                    .isEqualTo(10);
        }
        long narrowHeight = browser.jsLong("return Math.round(Chart.getChart('sources-chart').legend.height)");
        browser.screenshot("22-legends-360px");

        browser.size(1280, 1000);
        for (String chart : List.of("tokens-chart", "sources-chart")) {
            browser.waitFor(WAIT, chart + "'s full legend", d -> legendBox(chart) == 12);
        }
        browser.waitFor(WAIT, "a taller legend", d ->
                browser.jsLong("return Math.round(Chart.getChart('sources-chart').legend.height)") > narrowHeight);
        assertThat(severe()).as("console errors").isEmpty();
    }

    @Test
    void theConvergenceAndWidgetsViewsLoadTheirCodeAndDataOnlyOnceShown() {
        fake.enqueue(Reply.chatCompletion("Bonjour", 1500, 300));
        open("/");
        // A live request drawn means the page has taken in the server's init message (it comes first).
        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        browser.waitFor(WAIT, "the request", d -> d.findElements(By.cssSelector("#requests-body tr")).size() == 1);
        assertThat(loaded()).as("nothing of the views not shown").noneMatch(n -> n.endsWith("/js/modules/convergence.js")
                || n.endsWith("/js/modules/widgets.js") || n.contains("/api/widgets") || n.contains("kind=convergence"));

        browser.click("#tab-convergence");
        browser.waitFor(WAIT, "the convergence view's code and sessions", d ->
                loaded().stream().anyMatch(n -> n.endsWith("/js/modules/convergence.js"))
                        && loaded().stream().anyMatch(n -> n.contains("kind=convergence"))
                        && d.findElement(By.id("conv-empty")).isDisplayed());
        assertThat(loaded()).noneMatch(n -> n.endsWith("/js/modules/widgets.js") || n.contains("/api/widgets"));

        browser.click("#tab-widgets");
        browser.waitFor(WAIT, "the widgets view's code and list", d ->
                loaded().stream().anyMatch(n -> n.endsWith("/js/modules/widgets.js"))
                        && loaded().stream().anyMatch(n -> n.contains("/api/widgets"))
                        && !text("widgets-message").equals("Chargement…"));
        // Shown again, a view is not loaded again.
        long convergenceLoads = loaded().stream().filter(n -> n.endsWith("/js/modules/convergence.js")).count();
        browser.click("#tab-convergence");
        browser.waitFor(WAIT, "the convergence view", d -> d.findElement(By.id("view-convergence")).isDisplayed());
        assertThat(loaded().stream().filter(n -> n.endsWith("/js/modules/convergence.js")).count()).isEqualTo(convergenceLoads);
        assertThat(severe()).as("console errors").isEmpty();
    }

    /** What the page fetched so far: scripts, styles and API calls. */
    @SuppressWarnings("unchecked")
    private List<String> loaded() {
        return (List<String>) browser.js("return performance.getEntriesByType('resource').map(e => e.name)");
    }

    private long legendBox(String chart) {
        return browser.jsLong("return Chart.getChart(arguments[0]).options.plugins.legend.labels.boxWidth", chart);
    }

    private boolean selected(String view) {
        return "true".equals(attr("tab-" + view, "aria-selected")) && browser.driver.findElement(By.id("view-" + view)).isDisplayed();
    }

    /**
     * A one-finger move from x {@code fromX} to {@code toX} (and {@code dy} down) at the height of the element's
     * middle, as touch events through the DevTools protocol.
     */
    @SuppressWarnings("unchecked")
    private void swipe(String css, double fromX, double toX, double dy) {
        Map<String, Object> at = (Map<String, Object>) browser.js("const e = document.querySelector(arguments[0]);"
                + "e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                + "return {y: r.top + Math.min(r.height / 2, 40)};", css);
        double y = ((Number) at.get("y")).doubleValue();
        touch("touchStart", fromX, y);
        for (int i = 1; i <= 5; i++) {
            touch("touchMove", fromX + (toX - fromX) * i / 5, y + dy * i / 5);
        }
        browser.driver.executeCdpCommand("Input.dispatchTouchEvent", Map.of("type", "touchEnd", "touchPoints", List.of()));
    }

    private void touch(String type, double x, double y) {
        browser.driver.executeCdpCommand("Input.dispatchTouchEvent",
                Map.of("type", type, "touchPoints", List.of(Map.of("x", x, "y", y))));
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
