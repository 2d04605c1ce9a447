package io.kimi.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.testing.RecordedRequest;
import io.kimi.testing.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;

/**
 * The « Contexte » view in headless Chromium against a real server with the context features on (their defaults)
 * and the fake upstream: a long tool-heavy conversation sent through the proxy is masked and compacted, the page
 * shows the masks and their originals, previews, applies and undoes the compaction, and the upstream really
 * receives less, then everything again. Screenshots go to {@code kimi-api/target/screenshots/} (12 to 15).
 */
class ContextFeaturesBrowserTest extends BrowserTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tool outputs in the conversation: each well over the sanitizer's 1000-token threshold. */
    private static final int EXCHANGES = 12;

    @Test
    void masksCanBeReadAndACompactionPreviewedAppliedAndUndoneFromTheContextView() throws Exception {
        open("/#context");
        awaitFeatureSwitches();
        assertThat(selected("feature-sanitizer")).isTrue();
        assertThat(selected("feature-compaction")).isTrue();

        List<String> outputs = toolOutputs();
        ArrayNode conversation = conversation(outputs);
        assertThat(chat(conversation)).isEqualTo(200);
        JsonNode first = upstreamMessages(0);
        assertThat(first.size()).as("the sanitizer masks but keeps every message").isEqualTo(conversation.size());
        assertThat(first.toString()).contains("[kimi-mask ").doesNotContain(outputs.get(0));

        // The request's saving shows live, and the masks appear in the list.
        browser.waitFor(WAIT, "the session's saving", d -> number(attr("context-saved-session", "data-saved")) > 10_000);
        browser.waitFor(WAIT, "the masks in the list",
                d -> d.findElements(By.cssSelector("#masks-table tbody tr")).size() == EXCHANGES);
        long original = number(attr("context-last-request", "data-original"));
        long sentFirst = number(attr("context-last-request", "data-sent"));
        assertThat(original).isGreaterThan(sentFirst * 5);
        browser.waitFor(WAIT, "the sanitizer's figures", d -> plain(text("context-saved-masks-detail")).startsWith(EXCHANGES + " contenus masqués"));
        assertThat(number(plain(text("context-saved-masks")).replace(" tokens", "").replace(" ", ""))).isPositive();
        assertThat(text("context-sanitizer-stats")).contains("Contenus gardés");
        // The rows may have been drawn before the page knew the active session: they are marked on the next redraw.
        browser.waitFor(WAIT, "the active session's masks are marked",
                d -> d.findElements(By.cssSelector("#masks-table .badge-active")).size() == EXCHANGES);
        browser.waitFor(WAIT, "the compaction state", d -> text("context-compaction-state").contains("Derniers échanges conservés"));
        assertThat(text("context-compaction-history")).isEqualTo("Aucune compaction pour cette session.");
        assertThat(browser.driver.findElement(By.id("context-undo")).isEnabled()).isFalse();
        assertThat(browser.driver.findElement(By.id("context-compact")).isEnabled()).as("compact only after a preview").isFalse();
        browser.screenshot("12-context-panel");

        // « Voir »: the original text, exactly as sent, in a modal with a copy button.
        String hash = read("a mask's hash", d -> d.findElement(By.cssSelector("#masks-table tbody tr")).getAttribute("data-hash"));
        assertThat(hash).matches("[0-9a-f]{32}");
        browser.click("#masks-table tbody tr[data-hash='" + hash + "'] [data-action='view-mask']");
        browser.waitFor(WAIT, "the original text", d -> !d.findElements(By.id("mask-content")).isEmpty());
        String shown = (String) browser.js("return document.getElementById('mask-content').textContent");
        assertThat(outputs).contains(shown);
        assertThat(browser.driver.findElement(By.id("mask-modal")).getText()).contains(hash, "read_file");
        assertThat(browser.driver.switchTo().activeElement().getAttribute("id")).isEqualTo("mask-copy");
        browser.driver.findElement(By.id("mask-copy")).click();
        browser.waitFor(WAIT, "the copy result is announced", d -> !text("mask-copy-status").isEmpty());
        browser.screenshot("13-mask-modal");
        browser.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        browser.waitFor(WAIT, "the modal closes", d -> d.findElements(By.id("mask-modal")).isEmpty());

        // « Prévisualiser »: before > after, nothing applied yet.
        browser.click("#context-preview");
        browser.waitFor(WAIT, "the preview", d -> !d.findElements(By.id("context-preview-result")).isEmpty());
        long before = number(attr("context-preview-result", "data-before"));
        long after = number(attr("context-preview-result", "data-after"));
        assertThat(before).isGreaterThan(after).isPositive();
        assertThat(after).isPositive();
        assertThat(plain(text("context-preview-result"))).contains("messages remplacés par un résumé");
        assertThat(browser.driver.findElement(By.id("context-compact")).isEnabled()).isTrue();
        browser.screenshot("14-compaction-preview");

        // « Compacter », confirmed: an active manual record in the history.
        browser.click("#context-compact");
        browser.waitFor(WAIT, "the confirmation", d -> !d.findElements(By.id("confirm-modal")).isEmpty());
        browser.click("#confirm-modal [data-action='confirm']");
        browser.waitFor(WAIT, "an active record", d ->
                d.findElements(By.cssSelector("#compaction-history tr[data-status='active']")).size() == 1);
        String kind = read("the record's kind", d -> d.findElement(By.cssSelector("#compaction-history tr[data-status='active']"))
                .getAttribute("data-kind"));
        assertThat(kind).isEqualTo("manual");
        assertThat(text("context-compaction-done")).startsWith("Compaction appliquée");
        browser.waitFor(WAIT, "the undo button", d -> d.findElement(By.id("context-undo")).isEnabled());
        browser.waitFor(WAIT, "the notification", d -> !d.findElements(By.cssSelector(".notification-success")).isEmpty());

        // The next request of the conversation goes upstream shorter.
        ArrayNode longer = conversation.deepCopy();
        longer.addObject().put("role", "assistant").put("content", "Voici le résumé demandé.");
        longer.addObject().put("role", "user").put("content", "Continue avec l'étape suivante.");
        assertThat(chat(longer)).isEqualTo(200);
        JsonNode second = upstreamMessages(1);
        assertThat(second.size()).as("the compacted run is one summary message").isLessThan(first.size());
        assertThat(upstreamBytes(1)).isLessThan(upstreamBytes(0));
        browser.waitFor(WAIT, "the page shows the smaller request", d ->
                number(attr("context-last-request", "data-sent")) < sentFirst);

        // « Annuler la compaction », confirmed: the record is undone and the whole conversation is sent again.
        browser.click("#context-undo");
        browser.waitFor(WAIT, "the confirmation", d -> !d.findElements(By.id("confirm-modal")).isEmpty());
        browser.click("#confirm-modal [data-action='confirm']");
        browser.waitFor(WAIT, "the record is undone", d ->
                d.findElements(By.cssSelector("#compaction-history tr[data-status='undone']")).size() == 1
                        && d.findElements(By.cssSelector("#compaction-history tr[data-status='active']")).isEmpty());
        assertThat(text("context-undo-done")).startsWith("Compaction annulée");
        browser.waitFor(WAIT, "nothing left to undo", d -> !d.findElement(By.id("context-undo")).isEnabled());
        assertThat(chat(longer)).isEqualTo(200);
        assertThat(upstreamMessages(2).size()).isEqualTo(longer.size());

        JsonNode state = getJson("/api/sessions/" + activeSessionId() + "/compaction");
        assertThat(state.path("active")).isEmpty();
        assertThat(state.path("history")).hasSize(1);
        assertThat(state.path("history").get(0).path("undone_at").isNull()).isFalse();
        assertThat(severe()).as("console errors").isEmpty();
    }

    @Test
    void theGaugeAdviceLeadsToThePreviewAndAConversationTooShortSaysWhy() {
        // 190000 + 5000 of 262144 tokens: 74.4 %, over the warning threshold (70) and under automatic compaction (85).
        fake.enqueue(Reply.chatCompletion("Un", 190000, 5000));
        open("/");
        ArrayNode shortConversation = JSON.createArrayNode();
        shortConversation.addObject().put("role", "user").put("content", "Bonjour, lis le fichier README.");
        assertThat(chat(shortConversation)).isEqualTo(200);
        browser.waitFor(WAIT, "the advice", d -> d.findElement(By.id("compaction-advice")).isDisplayed());

        browser.click("#compaction-advice-preview");
        browser.waitFor(WAIT, "the context view", d -> d.findElement(By.id("view-context")).isDisplayed());
        assertThat(attr("tab-context", "aria-selected")).isEqualTo("true");
        assertThat(browser.driver.switchTo().activeElement().getAttribute("id")).isEqualTo("context-compaction-title");
        browser.waitFor(WAIT, "the reason", d -> !d.findElements(By.cssSelector("#context-compaction-result .panel-error")).isEmpty());
        WebElement error = browser.driver.findElement(By.cssSelector("#context-compaction-result .panel-error"));
        assertThat(error.getAttribute("data-code")).isEqualTo("nothing_to_compact");
        assertThat(plain(error.getText())).startsWith("Aperçu impossible : Erreur 409 : ").hasSizeGreaterThan(40);
        assertThat(error.getAttribute("role")).isEqualTo("alert");
        assertThat(browser.driver.findElement(By.id("context-compact")).isEnabled()).isFalse();

        // A feature switch, from the keyboard: the server takes it, the page says so. The switches are drawn by
        // the view's first load, which may still be under way: a switch pressed before would be redrawn as it was.
        awaitFeatureSwitches();
        pressSpace("feature-sanitizer");
        browser.waitFor(WAIT, "the switch result", d -> text("context-features-status").contains("désactivée"));
        assertThat(selected("feature-sanitizer")).isFalse();
        assertThat(featureEnabled("sanitizer")).isFalse();
        pressSpace("feature-sanitizer");
        browser.waitFor(WAIT, "switched back on", d -> text("context-features-status").contains("activée")
                && !text("context-features-status").contains("désactivée"));
        assertThat(featureEnabled("sanitizer")).isTrue();

        // Usable on a phone: nothing wider than the screen.
        browser.size(360, 800);
        browser.waitFor(WAIT, "the layout settles", d -> browser.jsLong(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0);
        browser.js("document.querySelectorAll('.notification').forEach(n => n.remove());"
                + "document.getElementById('context-compaction-title').scrollIntoView()");
        browser.screenshot("15-context-360px");
        List<LogEntry> errors = severe().stream()
                .filter(e -> !(e.getMessage().contains("compaction/preview") && e.getMessage().contains("409")))
                .toList();
        assertThat(errors).as("console errors other than the expected 409").isEmpty();
    }

    // The page. The view redraws its lists as live events come (more often on a loaded machine): what a test reads
    // is found again each time, and read again if a redraw replaced it between finding and reading.

    /** Waits until the feature switches are drawn and no load of them is under way. */
    private void awaitFeatureSwitches() {
        browser.waitFor(WAIT, "the feature switches", d ->
                d.findElements(By.cssSelector("#context-features input[role='switch']")).size() == 4
                        && d.findElement(By.id("context-features")).getAttribute("aria-busy") == null);
    }

    /** What {@code reading} returns (null included), read again when the element went stale meanwhile. */
    private <T> T read(String what, Function<WebDriver, T> reading) {
        return browser.waitFor(WAIT, what, d -> Optional.ofNullable(reading.apply(d))).orElse(null);
    }

    private boolean selected(String id) {
        return read(id + " is selected", d -> d.findElement(By.id(id)).isSelected());
    }

    /** Presses space on an element, found again if a redraw replaced it (a stale element gets no key). */
    private void pressSpace(String id) {
        browser.waitFor(WAIT, "space on #" + id, d -> {
            d.findElement(By.id(id)).sendKeys(Keys.SPACE);
            return true;
        });
    }

    private static long number(String s) {
        return s == null || s.isBlank() ? -1 : Long.parseLong(s.trim());
    }

    // The conversation: a coding agent reading one file per step, each file well over the sanitizer's threshold.

    private static List<String> toolOutputs() {
        List<String> outputs = new ArrayList<>();
        for (int file = 0; file < EXCHANGES; file++) {
            StringBuilder source = new StringBuilder("package demo.step").append(file).append(";\n\n");
            source.append("public final class Service").append(file).append(" {\n");
            for (int line = 0; line < 160; line++) {
                source.append("    private static final int LIMIT_").append(file).append('_').append(line)
                        .append(" = ").append(line * 37 + file).append("; // bound for request ")
                        .append(line % 7 == 0 ? "retries" : "batches").append(' ').append(line).append('\n');
            }
            source.append("}\n");
            outputs.add(source.toString());
        }
        return outputs;
    }

    private static ArrayNode conversation(List<String> outputs) {
        ArrayNode messages = JSON.createArrayNode();
        messages.addObject().put("role", "system").put("content", "Tu es un agent de programmation.");
        for (int i = 0; i < outputs.size(); i++) {
            messages.addObject().put("role", "user").put("content", "Étape " + i + " : lis Service" + i + ".java et corrige-le.");
            ObjectNode call = messages.addObject().put("role", "assistant");
            call.putNull("content");
            ObjectNode toolCall = call.putArray("tool_calls").addObject().put("id", "call_" + i).put("type", "function");
            toolCall.putObject("function").put("name", "read_file")
                    .put("arguments", "{\"path\":\"src/demo/step" + i + "/Service" + i + ".java\"}");
            messages.addObject().put("role", "tool").put("tool_call_id", "call_" + i).put("name", "read_file")
                    .put("content", outputs.get(i));
            messages.addObject().put("role", "assistant").put("content", "Service" + i + " corrigé : bornes vérifiées.");
        }
        messages.addObject().put("role", "user").put("content", "Résume ce qui a été fait.");
        return messages;
    }

    // The server, over HTTP.

    private int chat(ArrayNode messages) {
        ObjectNode body = JSON.createObjectNode().put("model", "kimi-k2").put("stream", false);
        body.set("messages", messages);
        return server.post("/v1/chat/completions", body.toString()).statusCode();
    }

    private JsonNode upstreamMessages(int index) throws IOException {
        return JSON.readTree(upstream(index).body()).path("messages");
    }

    private int upstreamBytes(int index) {
        return upstream(index).body().length;
    }

    private RecordedRequest upstream(int index) {
        List<RecordedRequest> chats = fake.requests().stream()
                .filter(r -> r.path().endsWith("/chat/completions")).toList();
        assertThat(chats).as("chat completions the upstream received").hasSizeGreaterThan(index);
        return chats.get(index);
    }

    private String activeSessionId() {
        return getJson("/api/sessions/active").path("session_id").asText();
    }

    private boolean featureEnabled(String name) {
        for (JsonNode f : getJson("/api/features").path("features")) {
            if (f.path("name").asText().equals(name)) {
                return f.path("enabled").asBoolean();
            }
        }
        throw new AssertionError("no feature " + name);
    }

    private JsonNode getJson(String path) {
        try {
            HttpResponse<String> response = server.http().send(HttpRequest.newBuilder(URI.create(server.url(path)))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(response.statusCode()).as("GET " + path + ": " + response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
