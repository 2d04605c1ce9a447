package io.kimi.services.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.config.Thresholds;
import io.kimi.core.Event;
import io.kimi.core.EventTypes;
import io.kimi.core.Session;
import io.kimi.core.SessionTotals;
import io.kimi.core.hub.EventHub;
import io.kimi.core.hub.HubMessage;
import io.kimi.core.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextAlertsTest {
    private static final int WINDOW = 262_144;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    final EventHub hub = new EventHub();
    final List<HubMessage> published = new CopyOnWriteArrayList<>();
    SqliteStore store;
    LiveFeed feed;
    ContextAlerts alerts;
    Session session;

    @BeforeEach
    void setUp() {
        KimiConfig config = new ConfigLoader(Map.of()).load(ConfigOverrides.none());
        store = SqliteStore.open(dir.resolve("alerts.db"), clock);
        feed = new LiveFeed(hub, new JsonViews(JSON, config));
        hub.subscribe(published::add);
        alerts = new ContextAlerts(Thresholds.DEFAULT, store, feed, clock);
        session = Session.newProxy("s-1", "test", clock.instant(), "kimi", "kimi-k2", WINDOW);
        store.saveSession(session).join();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    /** The session at {@code percent} of its window. */
    private Session at(double percent) {
        long tokens = Math.round(WINDOW * percent / 100);
        return session.withTotals(new SessionTotals(1, 0, tokens, 0, 0, tokens, tokens, 0));
    }

    /** Moves the session from its current fill to {@code percent}, as one recorded request would. */
    private Optional<Event> move(double from, double to) {
        return alerts.afterRequest(at(from), at(to));
    }

    private List<String> alertLevels() {
        return published.stream().filter(m -> m.type().equals("alert"))
                .map(m -> parse(m.json()).path("data").path("level").asText()).toList();
    }

    private List<Event> storedEvents() {
        store.flush().join();
        return store.listEvents(session.sessionId(), 100, 0).items();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }

    @Test
    void crossingSeventyPercentRaisesOneWarning() {
        assertThat(move(60, 72)).isPresent();
        assertThat(move(72, 75)).isEmpty();

        assertThat(alertLevels()).containsExactly("warning");
    }

    @Test
    void stayingAboveAThresholdDoesNotRaiseItAgain() {
        move(10, 86);
        move(86, 87);
        move(87, 90);
        move(90, 85.5);

        assertThat(alertLevels()).containsExactly("high");
        assertThat(storedEvents()).hasSize(1);
    }

    @Test
    void climbingStepByStepRaisesEachLevelOnce() {
        move(0, 71);
        move(71, 86);
        move(86, 96);
        move(96, 99);

        assertThat(alertLevels()).containsExactly("warning", "high", "critical");
    }

    @Test
    void jumpingOverSeveralThresholdsRaisesOnlyTheHighest() {
        Event event = move(50, 96).orElseThrow();

        assertThat(alertLevels()).containsExactly("critical");
        JsonNode data = parse(event.dataJson());
        assertThat(data.path("level").asText()).isEqualTo("critical");
        assertThat(data.path("threshold").asInt()).isEqualTo(95);
    }

    @Test
    void fallingBackBelowAThresholdReArmsIt() {
        move(50, 96);
        move(96, 40);   // compacted
        move(40, 72);
        move(72, 50);
        move(50, 72);

        assertThat(alertLevels()).containsExactly("critical", "warning", "warning");
    }

    @Test
    void fallingBelowOnlyTheHighestThresholdReArmsOnlyIt() {
        move(50, 96);
        move(96, 90);
        move(90, 97);

        assertThat(alertLevels()).containsExactly("critical", "critical");
    }

    @Test
    void afterARestartThresholdsTheSessionWasAlreadyAboveDoNotAlertAgain() {
        move(50, 90);
        assertThat(alertLevels()).containsExactly("high");

        ContextAlerts restarted = new ContextAlerts(Thresholds.DEFAULT, store, feed, clock);
        assertThat(restarted.afterRequest(at(90), at(91))).isEmpty();
        assertThat(restarted.afterRequest(at(91), at(96))).isPresent();

        ContextAlerts restartedAgain = new ContextAlerts(Thresholds.DEFAULT, store, feed, clock);
        assertThat(restartedAgain.afterRequest(at(96), at(97))).isEmpty();
        assertThat(alertLevels()).containsExactly("high", "critical");
    }

    @Test
    void sessionsAreTrackedSeparately() {
        Session other = Session.newProxy("s-2", "other", clock.instant(), "kimi", "kimi-k2", 1000);
        store.saveSession(other).join();

        move(0, 72);
        Session otherAfter = other.withTotals(new SessionTotals(1, 0, 720, 0, 0, 720, 720, 0));
        assertThat(alerts.afterRequest(other, otherAfter)).isPresent();

        assertThat(alertLevels()).containsExactly("warning", "warning");
    }

    @Test
    void theAlertIsStoredAsAnAlertEventAndPublishedAsAlertAndEventMessages() {
        move(50, 86);

        List<Event> stored = storedEvents();
        assertThat(stored).hasSize(1);
        Event event = stored.get(0);
        assertThat(event.eventType()).isEqualTo(EventTypes.ALERT);
        assertThat(event.sessionId()).isEqualTo("s-1");
        assertThat(event.timestamp()).isEqualTo(clock.instant());
        JsonNode data = parse(event.dataJson());
        assertThat(data.path("level").asText()).isEqualTo("high");
        assertThat(data.path("threshold").asInt()).isEqualTo(85);
        assertThat(data.path("percent").asDouble()).isEqualTo(86.0);
        assertThat(data.path("context_tokens").asLong()).isEqualTo(225_444);
        assertThat(data.path("context_window").asInt()).isEqualTo(WINDOW);
        assertThat(data.path("model").asText()).isEqualTo("kimi-k2");
        assertThat(normalSpaces(data.path("message").asText()))
                .isEqualTo("Contexte à 86 % de la fenêtre de kimi-k2 (225 444 / 262 144 tokens) : "
                        + "compactez bientôt la conversation.");

        assertThat(published).extracting(HubMessage::type).containsExactly("alert", "event");
        JsonNode alert = parse(published.get(0).json());
        assertThat(alert.path("type").asText()).isEqualTo("alert");
        assertThat(alert.path("data")).isEqualTo(data);
        JsonNode pushedEvent = parse(published.get(1).json());
        assertThat(published.get(1).topic()).isEqualTo(EventTypes.ALERT);
        assertThat(pushedEvent.path("event_type").asText()).isEqualTo(EventTypes.ALERT);
        assertThat(pushedEvent.path("event_id").asText()).isEqualTo(event.eventId());
        assertThat(pushedEvent.path("data")).isEqualTo(data);
    }

    @Test
    void anExternalFillIsMeasuredAgainstItsOwnWindowAndNamesItsSource() {
        Event event = alerts.afterExternal(at(10), "log:c", "tiny", 55, 60).orElseThrow();

        JsonNode data = parse(event.dataJson());
        assertThat(event.sessionId()).isEqualTo("s-1");
        assertThat(data.path("level").asText()).isEqualTo("high");
        assertThat(data.path("percent").asDouble()).isEqualTo(91.67);
        assertThat(data.path("context_tokens").asLong()).isEqualTo(55);
        assertThat(data.path("context_window").asInt()).isEqualTo(60);
        assertThat(data.path("model").asText()).isEqualTo("tiny");
        assertThat(data.path("source").asText()).isEqualTo("log:c");
        assertThat(normalSpaces(data.path("message").asText()))
                .isEqualTo("Contexte à 91 % de la fenêtre de tiny (55 / 60 tokens, log:c) : "
                        + "compactez bientôt la conversation.");
    }

    @Test
    void anExternalFillKeepsItsOwnCrossingsApartFromTheSessionsGauge() {
        move(50, 86);
        assertThat(alerts.afterExternal(at(86), "log:c", "tiny", 10, 60)).isEmpty();
        // The session's "high" stays armed: the external fill of 16 % did not re-arm it.
        assertThat(move(86, 87)).isEmpty();
        assertThat(alerts.afterExternal(at(87), "log:c", "tiny", 58, 60)).isPresent();
        assertThat(alerts.afterExternal(at(87), "log:c", "tiny", 59, 60)).isEmpty();
        assertThat(alerts.afterExternal(at(87), "log:other", "tiny", 59, 60)).isPresent();

        alerts.forget("s-1");
        assertThat(alerts.afterExternal(at(87), "log:c", "tiny", 59, 60)).isPresent();
        assertThat(alertLevels()).containsExactly("high", "critical", "critical", "critical");
    }

    @Test
    void messagesAreInFrenchWithFrenchNumbersAndAdvicePerLevel() {
        assertThat(normalSpaces(ContextAlerts.message("warning", 86.7, 225_000, 262_144, "kimi-k2")))
                .isEqualTo("Contexte à 86 % de la fenêtre de kimi-k2 (225 000 / 262 144 tokens) : pensez à compacter.");
        assertThat(ContextAlerts.message("critical", 95.0, 95, 100, "m"))
                .contains("95\u00a0%", "maintenant");
    }

    @Test
    void customThresholdsAreUsed() {
        ContextAlerts custom = new ContextAlerts(new Thresholds(50, 60, 99.5), store, feed, clock);

        Event event = custom.afterRequest(at(10), at(55)).orElseThrow();

        assertThat(parse(event.dataJson()).path("level").asText()).isEqualTo("warning");
        assertThat(parse(event.dataJson()).path("threshold").asInt()).isEqualTo(50);
        assertThat(custom.afterRequest(at(55), at(99.6)).map(e -> parse(e.dataJson()).path("threshold").asDouble()))
                .contains(99.5);
    }

    /** French typography puts (narrow) no-break spaces in numbers and before "%" and ":". */
    private static String normalSpaces(String s) {
        return s.replace('\u00a0', ' ').replace('\u202f', ' ');
    }
}
