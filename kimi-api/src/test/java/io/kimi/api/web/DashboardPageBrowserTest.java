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
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard page in headless Chromium against a real server, the fake upstream and the simulated loop.
 * One browser for the class (starting Chromium is the slow part), a fresh server per test. Screenshots of each
 * view go to {@code kimi-api/target/screenshots/}.
 */
class DashboardPageBrowserTest extends BrowserTestBase {
    @Test
    void pageLoadsInFrenchWithChartJsFromTheServerAndNoConsoleErrors() {
        open("/");

        assertThat(browser.driver.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo("fr");
        assertThat(text("connection-label")).isEqualTo("connecté");
        assertThat(text("tab-overview")).isEqualTo("Session active");
        assertThat(text("session-name")).isEqualTo("Aucune session active");
        assertThat(browser.js("return typeof Chart === 'function' && Chart.version")).isEqualTo("4.5.1");
        assertThat(browser.js("return [...document.scripts].every(s => !s.src || s.src.startsWith(location.origin))"))
                .isEqualTo(true);
        // Every view, once shown, renders without an error either (the widgets list may not exist yet: 404).
        for (String view : List.of("sessions", "convergence", "widgets", "overview")) {
            browser.driver.findElement(By.id("tab-" + view)).click();
            browser.waitFor(WAIT, view + " shown", d -> d.findElement(By.id("view-" + view)).isDisplayed());
            if (view.equals("sessions")) {
                browser.waitFor(WAIT, "the sessions list is drawn", d -> !text("sessions-pager").isEmpty());
            } else if (view.equals("widgets")) {
                browser.waitFor(WAIT, "the widgets view says what it has",
                        d -> !text("widgets-message").equals("Chargement…"));
            }
        }
        assertThat(severe()).as("console errors").isEmpty();
        browser.screenshot("01-overview-empty");

        open("/?lang=en");
        assertThat(browser.driver.findElement(By.tagName("html")).getAttribute("lang")).isEqualTo("en");
        assertThat(text("connection-label")).isEqualTo("connected");
        assertThat(text("tab-overview")).isEqualTo("Active session");
        assertThat(severe()).as("console errors").isEmpty();
    }

    @Test
    void aProxiedRequestAppearsLiveInTheChartTableAndGauge() {
        fake.enqueue(Reply.chatCompletion("Bonjour", 26000, 2144));
        open("/");

        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        // The page is not reloaded: the request arrives over the live WebSocket. How fast it arrives is a
        // benchmark's business, not a test's (a one-second wait here failed on a loaded machine).
        browser.waitFor(WAIT, "the request in the table, chart and gauge, live", d ->
                d.findElements(By.cssSelector("#requests-body tr")).size() == 1
                        && browser.jsLong("return Chart.getChart('tokens-chart').data.datasets[0].data.length") == 1
                        && plain(d.findElement(By.id("gauge-tokens")).getText()).startsWith("28 144 / 262 144"));

        assertThat(plain(text("gauge-percent"))).isEqualTo("10,7 %");
        assertThat(attr("gauge", "data-level")).isEqualTo("normal");
        assertThat(text("gauge-level")).isEqualTo("Normal");
        assertThat(text("gauge-source")).isEqualTo("Compté par le fournisseur");
        assertThat(text("session-name")).isNotEqualTo("Aucune session active");
        assertThat(text("session-model")).contains("kimi-k2");
        WebElement row = browser.driver.findElement(By.cssSelector("#requests-body tr"));
        assertThat(plain(row.getText())).contains("kimi-k2", "Succès", "Proxy", "26 000", "2 144");
        assertThat(browser.jsLong("return Chart.getChart('sources-chart').data.datasets[0].data[0]")).isEqualTo(1);
        assertThat(plain(text("stat-tokens"))).isEqualTo("28 144");
        assertThat(severe()).as("console errors").isEmpty();
        browser.screenshot("02-overview-one-request");
    }

    @Test
    void theGaugeNamesAndMarksTheThreeConfiguredLevelsAndAlertsShowAsNotifications() {
        // 262144 tokens: 190000 + 5000 is 74.4 % (warning at 70), 232000 + 5000 is 90.4 % (high at 85),
        // 250000 + 2000 is 96.1 % (critical at 95).
        fake.enqueue(Reply.chatCompletion("Un", 190000, 5000), Reply.chatCompletion("Deux", 232000, 5000),
                Reply.chatCompletion("Trois", 250000, 2000));
        open("/");
        // The three thresholds of the config, named as in the config and the API, each marked on the bar.
        assertThat(plain(text("gauge-thresholds"))).isEqualTo("Seuils : attention 70 %, élevé 85 %, critique 95 %");
        for (String[] tick : new String[][] {{"warning", "70%"}, {"high", "85%"}, {"critical", "95%"}}) {
            assertThat(browser.js("return document.getElementById('gauge-tick-" + tick[0] + "').style.left"))
                    .as(tick[0] + " tick").isEqualTo(tick[1]);
        }

        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        browser.waitFor(WAIT, "the warning level", d -> "warning".equals(attr("gauge", "data-level")));
        assertThat(text("gauge-level")).isEqualTo("Attention");
        assertThat(plain(text("gauge-percent"))).isEqualTo("74,4 %");
        assertThat(browser.driver.findElement(By.id("compaction-advice")).isDisplayed()).isTrue();
        browser.waitFor(WAIT, "an alert notification", d ->
                !d.findElements(By.cssSelector(".notification-alert")).isEmpty());
        assertThat(plain(browser.driver.findElement(By.cssSelector(".notification-alert strong")).getText()))
                .isEqualTo("Alerte de contexte : Attention");
        browser.screenshot("03-gauge-warning");

        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        browser.waitFor(WAIT, "the high level", d -> "high".equals(attr("gauge", "data-level")));
        assertThat(text("gauge-level")).as("85 % is « high » in the config: Élevé, not Critique").isEqualTo("Élevé");
        assertThat(plain(text("gauge-percent"))).isEqualTo("90,4 %");
        browser.waitFor(WAIT, "a second alert", d -> d.findElements(By.cssSelector(".notification-alert")).size() >= 2);
        assertThat(plain(browser.driver.findElement(By.cssSelector(".notification-alert")).getText()))
                .contains("Alerte de contexte : Élevé", "Contexte à 90 %");
        assertThat(browser.driver.findElement(By.id("gauge-track")).getAttribute("aria-valuetext")).contains("Élevé");
        String apiLevel = server.get("/api/sessions/active").body();
        assertThat(apiLevel).as("the API names the level the same way").contains("\"level\":\"high\"");
        browser.screenshot("04-gauge-high-with-alert");

        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        browser.waitFor(WAIT, "the critical level", d -> "critical".equals(attr("gauge", "data-level")));
        assertThat(text("gauge-level")).isEqualTo("Critique");
        assertThat(plain(text("gauge-percent"))).isEqualTo("96,1 %");
        browser.waitFor(WAIT, "a third alert", d -> d.findElements(By.cssSelector(".notification-alert")).size() >= 3);
        assertThat(plain(browser.driver.findElement(By.cssSelector(".notification-alert strong")).getText()))
                .isEqualTo("Alerte de contexte : Critique");
        assertThat(severe()).as("console errors").isEmpty();
        browser.screenshot("04b-gauge-critical");
    }

    @Test
    void aConvergenceSessionAdvancesThroughThePipelineLive() {
        // The test is the loop: it posts each event only once the page shows the previous state, so the page
        // sees every state however slow the machine is (a simulated loop's own pace once outran a loaded CI).
        open("/#convergence");
        String session = "browser-loop-1";
        postEvent(session, 0, "IDLE", "SESSION_STARTED", "{\"target\":\"api-gateway\"}");
        browser.waitFor(WAIT, "a convergence session is shown", d ->
                !d.findElements(By.cssSelector("#conv-pipeline .stage")).isEmpty());
        List<String> states = List.of("DIAGNOSING", "FIXING", "ATTACKING", "VALIDATING");
        List<String> steps = List.of("diagnose", "fix", "attack", "validate");
        for (int iteration = 1; iteration <= 2; iteration++) {
            postEvent(session, iteration, "DIAGNOSING", "ITERATION_STARTED", "{}");
            for (int i = 0; i < states.size(); i++) {
                String state = states.get(i);
                String findings = i == 0 ? ",\"findings\":{\"high\":" + (3 - iteration) + ",\"low\":1}" : "";
                postEvent(session, iteration, state, "STEP_COMPLETE",
                        "{\"step\":\"" + steps.get(i) + "\",\"duration_seconds\":1.5" + findings + "}");
                browser.waitFor(WAIT, "the pipeline shows " + state + " in iteration " + iteration,
                        d -> state.equals(attr("conv-pipeline", "data-state")));
                List<WebElement> current = browser.driver.findElements(
                        By.cssSelector("#conv-pipeline [aria-current='step']"));
                assertThat(current).as("one current stage at " + state).hasSize(1);
            }
        }
        browser.waitFor(WAIT, "findings per iteration are charted", d ->
                browser.jsLong("return Chart.getChart('iterations-chart').data.labels.length") >= 2);
        assertThat(Integer.parseInt(attr("conv-iteration", "data-iteration"))).isEqualTo(2);
        assertThat(browser.driver.findElements(By.cssSelector("#conv-log .log-item")).size()).isGreaterThan(3);
        browser.waitFor(WAIT, "findings by severity", d -> browser.jsLong("return [...document.querySelectorAll("
                + "'#conv-severity li')].reduce((sum, li) => sum + Number(li.dataset.count), 0)") == 5);
        browser.waitFor(WAIT, "step durations", d -> d.findElements(By.cssSelector("#conv-steps tr[data-step]")).size() == 4);
        postEvent(session, 2, "CONVERGED", "CONVERGENCE_REACHED", "{}");
        browser.waitFor(WAIT, "the session converges", d -> "CONVERGED".equals(attr("conv-pipeline", "data-state")));
        assertThat(severe()).as("console errors").isEmpty();
        browser.screenshot("05-convergence");
    }

    private final Instant loopStart = Instant.now();
    private int eventSequence;

    private void postEvent(String session, int iteration, String state, String type, String data) {
        eventSequence++;
        String json = "{\"event_id\":\"" + session + "-" + eventSequence + "\",\"session_id\":\"" + session
                + "\",\"timestamp\":\"" + loopStart.plusSeconds(eventSequence) + "\",\"iteration\":" + iteration
                + ",\"state\":\"" + state + "\",\"event_type\":\"" + type + "\",\"data\":" + data + "}";
        assertThat(server.post("/api/events", json).statusCode()).as(type + " accepted").isEqualTo(200);
    }

    @Test
    void sessionsCanBeCreatedInspectedAndDeletedWithConfirmationFromTheKeyboard() {
        open("/#sessions");

        browser.waitFor(WAIT, "the model list", d -> d.findElements(By.cssSelector("#session-model-select option")).size() > 1);
        new Select(browser.driver.findElement(By.id("session-model-select")))
                .selectByValue("kimi-k2");
        browser.driver.findElement(By.id("session-name-input")).sendKeys("Refonte API", Keys.ENTER);
        browser.waitFor(WAIT, "the new session in the list and in the header", d ->
                d.findElements(By.cssSelector("#sessions-table tbody tr")).size() == 1
                        && "Refonte API".equals(text("session-name")));
        assertThat(plain(text("sessions-pager"))).contains("Page 1 sur 1 (1 session)");
        browser.screenshot("06-sessions");

        WebElement details = browser.driver.findElement(By.cssSelector("#sessions-table [data-action='details']"));
        String detailsKey = details.getAttribute("data-focus-key");
        details.click();
        browser.waitFor(WAIT, "the details modal", d -> d.findElements(By.cssSelector("#details-modal dd")).size() > 5);
        assertThat(browser.driver.findElement(By.id("details-modal")).getText()).contains("Refonte API", "kimi-k2");
        browser.screenshot("07-session-details-modal");
        browser.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        browser.waitFor(WAIT, "the modal closes on Escape", d -> d.findElements(By.id("details-modal")).isEmpty());
        assertThat(browser.driver.switchTo().activeElement().getAttribute("data-focus-key"))
                .as("focus returns to the details button (or its redrawn twin)").isEqualTo(detailsKey);

        browser.click("#sessions-table [data-action='delete']");
        browser.waitFor(WAIT, "the confirmation", d -> !d.findElements(By.id("confirm-modal")).isEmpty());
        assertThat(browser.driver.findElement(By.id("confirm-modal")).getText()).contains("Supprimer la session « Refonte API »");
        browser.screenshot("08-delete-confirmation");
        browser.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.waitFor(WAIT, "the session is gone", d -> d.findElements(By.cssSelector("#sessions-table")).isEmpty()
                && text("sessions-list").contains("Aucune session."));
        assertThat(severe()).as("console errors").isEmpty();
    }

    @Test
    void thePageReconnectsByItselfAfterTheServerRestartsAndRedrawsFromFreshState() {
        open("/");

        server.stop();
        browser.waitFor(WAIT, "the page notices", d -> !"connected".equals(attr("connection", "data-state")));
        assertThat(text("connection-label")).isIn("reconnexion…", "hors ligne");
        browser.screenshot("09-reconnecting");

        fake.enqueue(Reply.chatCompletion("Re", 1000, 24));
        server.restart();
        awaitConnected();
        assertThat(text("connection-label")).isEqualTo("connecté");
        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        browser.waitFor(WAIT, "live updates flow again", d -> d.findElements(By.cssSelector("#requests-body tr")).size() == 1
                && plain(text("gauge-tokens")).startsWith("1 024 /"));
    }

    @Test
    void registeredWidgetsAreDrawnAndUpdatedLive() {
        server.server().widgets().register("requetes", RequestCounter::new);
        server.server().widgets().register("modeles", () -> new Widget() {
            @Override
            public boolean onEvent(Event event) {
                return false;
            }

            @Override
            public WidgetState render() {
                return WidgetState.table(Map.of("columns", List.of("modèle", "fenêtre"),
                        "rows", List.of(List.of("kimi-k2", 262144))));
            }
        });
        fake.enqueue(Reply.chatCompletion("Bonjour", 1500, 300));
        open("/#widgets");
        browser.waitFor(WAIT, "both widgets", d -> d.findElements(By.cssSelector("#widgets-grid [data-widget]")).size() == 2);
        assertThat(browser.driver.findElement(By.cssSelector("[data-widget='modeles'] table")).getText())
                .contains("kimi-k2", "262144");
        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        browser.waitFor(WAIT, "the counter updates live", d ->
                "1".equals(d.findElement(By.cssSelector("[data-widget='requetes'] .widget-value")).getText()));
        assertThat(severe()).as("console errors").isEmpty();
        browser.screenshot("10-widgets");
        // Every view at 360 px: MobileBrowserTest.
    }

    /** A counter widget: proxied requests seen. */
    static final class RequestCounter implements Widget {
        private int count;

        @Override
        public boolean onEvent(Event event) {
            if (!event.eventType().equals("REQUEST_COMPLETED")) {
                return false;
            }
            count++;
            return true;
        }

        @Override
        public WidgetState render() {
            return WidgetState.counter(Map.of("value", count, "label", "requêtes", "title", "Requêtes vues"));
        }
    }
}
