package io.kimi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * The « Convergence » view in headless Chromium against a real server; the test is the loop, posting its events
 * to {@code /api/events}. Screenshots go to {@code kimi-api/target/screenshots/}.
 */
class ConvergenceViewBrowserTest extends BrowserTestBase {
    private final Instant loopStart = Instant.now();
    private int eventSequence;

    @Test
    void theViewFollowsTheLatestRunningSessionUntilTheUserPicksOne() {
        open("/#convergence");
        assertThat(browser.driver.findElement(By.id("conv-follow")).isSelected()).as("following by default").isTrue();

        startLoop("loop-a", "alpha");
        postEvent("loop-a", 1, "DIAGNOSING", "ITERATION_STARTED", "{}");
        browser.waitFor(WAIT, "the first loop is shown", d -> text("conv-target").equals("alpha"));
        postEvent("loop-a", 1, "CONVERGED", "CONVERGENCE_REACHED", "{}");
        browser.waitFor(WAIT, "the first loop converges", d -> "CONVERGED".equals(attr("conv-pipeline", "data-state")));

        // A new loop starts: the view moves to it by itself, without a reload or a click.
        startLoop("loop-b", "beta");
        browser.waitFor(WAIT, "the new running loop is shown", d -> text("conv-target").equals("beta")
                && "loop-b".equals(selectedSession()));
        postEvent("loop-b", 1, "DIAGNOSING", "ITERATION_STARTED", "{}");
        browser.waitFor(WAIT, "and followed live", d -> "DIAGNOSING".equals(attr("conv-pipeline", "data-state")));
        browser.screenshot("18-convergence-following");

        // The user picks the finished loop: following stops and a newer loop does not take the view away.
        new Select(browser.driver.findElement(By.id("conv-select"))).selectByValue("loop-a");
        browser.waitFor(WAIT, "the picked loop is shown", d -> text("conv-target").equals("alpha"));
        assertThat(browser.driver.findElement(By.id("conv-follow")).isSelected()).as("following stopped").isFalse();
        startLoop("loop-c", "gamma");
        postEvent("loop-c", 1, "DIAGNOSING", "ITERATION_STARTED", "{}");
        browser.waitFor(WAIT, "the new loop is listed", d ->
                !d.findElements(By.cssSelector("#conv-select option[value='loop-c']")).isEmpty());
        assertThat(selectedSession()).as("the user's choice stays").isEqualTo("loop-a");
        assertThat(text("conv-target")).isEqualTo("alpha");

        // Following again goes to the loop that started last among the running ones.
        browser.click("#conv-follow");
        browser.waitFor(WAIT, "the latest running loop is shown", d -> text("conv-target").equals("gamma")
                && "loop-c".equals(selectedSession()));
        assertThat(severe()).as("console errors").isEmpty();
    }

    private String selectedSession() {
        return (String) browser.js("return document.getElementById('conv-select').value");
    }

    private void startLoop(String session, String target) {
        postEvent(session, 0, "IDLE", "SESSION_STARTED", "{\"target\":\"" + target + "\"}");
    }

    private void postEvent(String session, int iteration, String state, String type, String data) {
        eventSequence++;
        String json = "{\"event_id\":\"" + session + "-" + eventSequence + "\",\"session_id\":\"" + session
                + "\",\"timestamp\":\"" + loopStart.plusSeconds(eventSequence) + "\",\"iteration\":" + iteration
                + ",\"state\":\"" + state + "\",\"event_type\":\"" + type + "\",\"data\":" + data + "}";
        assertThat(server.post("/api/events", json).statusCode()).as(type + " accepted").isEqualTo(200);
    }
}
