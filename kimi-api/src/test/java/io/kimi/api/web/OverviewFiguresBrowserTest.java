package io.kimi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.testing.Reply;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The figures of the « Session active » view in headless Chromium against a real server and the fake upstream:
 * the token chart's two modes, and costs. Screenshots go to {@code kimi-api/target/screenshots/}.
 */
class OverviewFiguresBrowserTest extends BrowserTestBase {
    private static final String TOKENS = "Chart.getChart('tokens-chart')";

    @Test
    void theTokenChartShowsTheLastRequestsEvenlySpacedOrTheirSumsPerMinuteAndRemembersTheChoice() {
        server = PageServer.start(dir, fake.baseUrl(), 0, false);
        fake.enqueue(Reply.chatCompletion("Un", 1000, 100), Reply.chatCompletion("Deux", 2000, 200),
                Reply.chatCompletion("Trois", 3000, 300));
        open("/");
        browser.click("#tokens-mode-request + span");

        // A burst: three requests back to back. Per request, three evenly spaced bars, oldest first.
        for (int i = 0; i < 3; i++) {
            assertThat(server.chat("kimi-k2")).isEqualTo(200);
        }
        browser.waitFor(WAIT, "three requests charted", d ->
                browser.jsLong("return " + TOKENS + ".data.labels.length") == 3);
        assertThat(attr("tokens-chart", "data-mode")).isEqualTo("request");
        assertThat(browser.js("return " + TOKENS + ".options.scales.x.type")).isEqualTo("category");
        assertThat(browser.js("return " + TOKENS + ".data.datasets[0].data")).isEqualTo(List.of(1000L, 2000L, 3000L));
        assertThat(browser.js("return " + TOKENS + ".data.datasets[1].data")).isEqualTo(List.of(100L, 200L, 300L));
        assertThat(text("tokens-chart-title")).isEqualTo("Tokens par requête (50 dernières)");
        assertThat((String) browser.js("return " + TOKENS + ".scales.x.ticks[0].label")).as("time of day")
                .matches("\\d{2}:\\d{2}:\\d{2}");
        browser.screenshot("16-tokens-per-request");

        // Per minute: one bar per minute, every minute from the first request's to now, summing the tokens.
        browser.click("#tokens-mode-minute + span");
        browser.waitFor(WAIT, "the per-minute chart", d -> "minute".equals(attr("tokens-chart", "data-mode")));
        assertThat(text("tokens-chart-title")).isEqualTo("Tokens par minute (60 dernières minutes)");
        assertPerMinuteSums(6000, 600);
        assertThat((String) browser.js("return " + TOKENS + ".scales.x.ticks[0].label")).as("hours and minutes")
                .matches("\\d{2}:\\d{2}");
        browser.screenshot("17-tokens-per-minute");

        // A live request joins its minute.
        fake.enqueue(Reply.chatCompletion("Quatre", 4000, 400));
        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        browser.waitFor(WAIT, "the live request in the sums", d -> browser.jsLong(
                "return " + TOKENS + ".data.datasets[0].data.reduce((a, b) => a + b, 0)") == 10000);
        assertPerMinuteSums(10000, 1000);

        // The choice survives a reload.
        open("/");
        browser.waitFor(WAIT, "per minute again", d -> "minute".equals(attr("tokens-chart", "data-mode")));
        assertThat(browser.driver.findElement(By.id("tokens-mode-minute")).isSelected()).isTrue();
        browser.waitFor(WAIT, "the sums from the server's recent requests", d -> browser.jsLong(
                "return " + TOKENS + ".data.datasets[0].data.reduce((a, b) => a + b, 0)") == 10000);
        browser.click("#tokens-mode-request + span");
        browser.waitFor(WAIT, "per request again", d -> "request".equals(attr("tokens-chart", "data-mode")));
        assertThat(browser.jsLong("return " + TOKENS + ".data.labels.length")).isEqualTo(4);
        assertThat(severe()).as("console errors").isEmpty();
    }

    @Test
    void aRealCostKeepsItsSignificantDigitsAndAFailedRequestCostsZeroWrittenTheSameWay() {
        server = PageServer.start(dir, fake.baseUrl(), 0, false);
        // 100 prompt tokens at 0.60 $/M and 5 completion tokens at 2.50 $/M: 0.0000725 $, which four fixed
        // decimals showed as 0,0001 $US (and a failed request as 0,00 $US).
        fake.enqueue(Reply.chatCompletion("Bonjour", 100, 5), Reply.status(400, "Requête refusée"));
        open("/");
        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        assertThat(server.chat("kimi-k2")).isEqualTo(400);
        browser.waitFor(WAIT, "both requests in the table", d ->
                d.findElements(By.cssSelector("#requests-body tr")).size() == 2);

        List<String> costs = browser.driver.findElements(By.cssSelector("#requests-body tr td:last-child"))
                .stream().map(e -> plain(e.getText())).toList();
        assertThat(costs).as("newest first: the failed request, then the real one").containsExactly("0 $US", "0,0000725 $US");
        browser.waitFor(WAIT, "the session's cost", d -> plain(text("stat-cost")).equals("0,0000725 $US"));

        browser.click("#tab-sessions");
        browser.waitFor(WAIT, "the session in the list", d ->
                !d.findElements(By.cssSelector("#sessions-table tbody tr")).isEmpty());
        assertThat(plain(browser.driver.findElement(By.cssSelector("#sessions-table tbody tr")).getText()))
                .contains("0,0000725 $US");
        assertThat(severe()).as("console errors").isEmpty();
        browser.screenshot("19-costs");
    }

    /**
     * The per-minute chart against the requests the page holds: the labels are consecutive minutes (at least ten),
     * each request's minute is among them, the minutes before the oldest request's have no value (not known)
     * and the sums are the tokens sent.
     */
    private void assertPerMinuteSums(long prompt, long completion) {
        String check = "const c = " + TOKENS + "; const labels = c.data.labels; const data = c.data.datasets[0].data;"
                + "const minutes = window.kimiDashboard.state.requests.map(r => Math.floor(Date.parse(r.timestamp) / 60000) * 60000);"
                + "const consecutive = labels.every((m, i) => i === 0 || m - labels[i - 1] === 60000);"
                + "const known = labels.indexOf(Math.min(...minutes));"
                + "return consecutive && labels.length >= 10 && known >= 0 && data.slice(0, known).every(v => v === null)"
                + " && minutes.every(m => labels.includes(m)) && c.options.scales.x.type === 'category';";
        assertThat(browser.js(check)).as("consecutive minutes covering every request").isEqualTo(true);
        assertThat(browser.jsLong("return " + TOKENS + ".data.datasets[0].data.reduce((a, b) => a + b, 0)")).isEqualTo(prompt);
        assertThat(browser.jsLong("return " + TOKENS + ".data.datasets[1].data.reduce((a, b) => a + b, 0)")).isEqualTo(completion);
    }
}
