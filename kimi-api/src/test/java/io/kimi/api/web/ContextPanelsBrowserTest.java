package io.kimi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The « Contexte » view is one module per panel (js/modules/context/) and the paged lists share one pager
 * (js/modules/pager.js): each panel draws its part against a real server with one proxied request, in French and
 * in English, and the sessions list pages back and forth with the shared pager.
 */
class ContextPanelsBrowserTest extends BrowserTestBase {
    /** The view's containers, each drawn by one part; a part still loading says so with aria-busy. */
    private static final List<String> PARTS = List.of("context-features", "context-sanitizer-stats", "context-masks",
            "context-compaction-state", "context-memory", "context-servers");

    @Test
    void eachPanelOfTheContextViewDrawsItsPartInFrenchAndEnglish() {
        assertThat(server.chat("kimi-k2")).isEqualTo(200);

        open("/#context");
        awaitPartsLoaded();
        // Features: one switch per transformer, in the proxy's order.
        assertThat(browser.driver.findElements(By.cssSelector("#context-features input[role='switch']")))
                .extracting(e -> e.getAttribute("id"))
                .containsExactly("feature-tool_repair", "feature-sanitizer", "feature-compaction", "feature-memory");
        // Savings: nothing transformed (a short request), no compaction.
        browser.waitFor(WAIT, "the savings", d -> text("context-saved-detail")
                .equals("aucune requête transformée depuis l’ouverture de la page")
                && plain(text("context-saved-compaction-detail")).equals("0 compaction active"));
        // Masks: the sanitizer's figures, an empty list and its count (French: 0 takes the singular).
        assertThat(browser.driver.findElements(By.cssSelector("#context-sanitizer-stats dt"))).hasSize(6);
        assertThat(text("context-sanitizer-stats")).contains("Contenus gardés");
        assertThat(text("context-masks")).isEqualTo("Aucun contenu masqué pour l’instant.");
        assertThat(plain(text("context-masks-pager"))).isEqualTo("0 contenu masqué");
        // Compaction: its settings and an empty history.
        assertThat(text("context-compaction-state")).contains("Derniers échanges conservés");
        assertThat(text("context-compaction-history")).isEqualTo("Aucune compaction pour cette session.");
        assertThat(browser.driver.findElement(By.id("context-preview")).isEnabled()).isTrue();
        // Memory and servers.
        // One request without memory markers: each count with its own plural (French: 0 and 1 are singular).
        assertThat(plain(text("context-memory"))).contains("Mémoire : 0 tokens", "0 requête avec mémoire sur 1, 0 marqueur");
        assertThat(text("context-servers")).startsWith("Aucun serveur MCP configuré.");
        assertThat(severe()).as("console errors").isEmpty();

        open("/?lang=en#context");
        awaitPartsLoaded();
        assertThat(text("context-masks")).isEqualTo("Nothing masked yet.");
        assertThat(text("context-memory")).contains("0 requests with memory of 1, 0 markers");
        assertThat(text("context-masks-pager")).isEqualTo("0 masked items");
        assertThat(text("context-compaction-history")).isEqualTo("No compaction for this session.");
        assertThat(text("context-servers")).startsWith("No MCP server configured.");
        assertThat(text("context-sanitizer-stats")).contains("Contents kept");
        assertThat(severe()).as("console errors").isEmpty();
    }

    @Test
    void theSessionsListPagesBackAndForthWithTheSharedPager() {
        for (int i = 1; i <= 11; i++) {
            assertThat(server.post("/api/sessions", "{\"name\":\"Session " + i + "\"}").statusCode()).isEqualTo(201);
        }
        open("/#sessions");
        browser.waitFor(WAIT, "the first page", d -> plain(text("sessions-pager")).contains("Page 1 sur 2 (11 sessions)")
                && d.findElements(By.cssSelector("#sessions-table tbody tr")).size() == 10);
        assertThat(browser.driver.findElement(By.id("sessions-prev")).isEnabled()).isFalse();

        browser.click("#sessions-next");
        browser.waitFor(WAIT, "the second page", d -> plain(text("sessions-pager")).contains("Page 2 sur 2 (11 sessions)")
                && d.findElements(By.cssSelector("#sessions-table tbody tr")).size() == 1);
        assertThat(browser.driver.findElement(By.id("sessions-next")).isEnabled()).isFalse();
        browser.waitFor(WAIT, "the focus moves to the button still usable", d ->
                "sessions-prev".equals(d.switchTo().activeElement().getAttribute("data-focus-key")));

        // From the keyboard, the way back.
        browser.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.waitFor(WAIT, "the first page again", d -> plain(text("sessions-pager")).contains("Page 1 sur 2")
                && d.findElements(By.cssSelector("#sessions-table tbody tr")).size() == 10);
        browser.waitFor(WAIT, "the focus moves to « Suivante »", d ->
                "sessions-next".equals(d.switchTo().activeElement().getAttribute("data-focus-key")));
        assertThat(severe()).as("console errors").isEmpty();
    }

    /** Waits until every part has an answer drawn: none is busy, none still says « Chargement… ». */
    private void awaitPartsLoaded() {
        browser.waitFor(WAIT, "every part of the context view is drawn", d -> PARTS.stream().allMatch(id -> {
            var part = d.findElement(By.id(id));
            return part.getAttribute("aria-busy") == null && !part.getText().isEmpty()
                    && !List.of("Chargement…", "Loading…").contains(part.getText());
        }));
        Map<String, Object> errors = Map.of("errors", browser.js(
                "return document.querySelectorAll('#view-context .panel-error').length"));
        assertThat(errors).as("failed parts").containsEntry("errors", 0L);
    }
}
