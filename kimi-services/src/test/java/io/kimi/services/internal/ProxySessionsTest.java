package io.kimi.services.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.SessionTotals;
import io.kimi.core.hub.EventHub;
import io.kimi.core.hub.HubMessage;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.proxy.ModelRouter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxySessionsTest {
    @TempDir
    Path dir;

    final Clock clock = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    KimiConfig config;
    ModelRouter router;
    SqliteStore store;
    ProxySessions sessions;
    final EventHub hub = new EventHub();
    final List<HubMessage> published = new CopyOnWriteArrayList<>();
    LiveFeed feed;

    @BeforeEach
    void setUp() throws Exception {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, String.join("\n",
                "[providers.a]", "type = \"openai-compatible\"", "base_url = \"http://127.0.0.1:1/v1\"",
                "[providers.b]", "type = \"openai-compatible\"", "base_url = \"http://127.0.0.1:2/v1\"",
                "[models.a1]", "provider = \"a\"", "context_window = 1000",
                "[models.a2]", "provider = \"a\"", "context_window = 2000",
                "[models.b1]", "provider = \"b\"", "context_window = 3000", ""));
        config = new ConfigLoader(Map.of()).load(new ConfigOverrides(file, null, null, dir.resolve("db")));
        router = new ModelRouter(config);
        store = SqliteStore.open(dir.resolve("sessions.db"), clock);
        hub.subscribe(published::add);
        feed = new LiveFeed(hub, new JsonViews(new ObjectMapper(), config));
        sessions = ProxySessions.load(store, store, config, clock, feed);
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void firstRequestCreatesAnActiveSessionForItsModel() {
        Session s = sessions.resolve(null, router.resolve("a1"));

        assertThat(s.active()).isTrue();
        assertThat(s.provider()).isEqualTo("a");
        assertThat(s.contextWindow()).isEqualTo(1000);
        assertThat(sessions.active()).contains(s);
        assertThat(published).extracting(HubMessage::type).containsExactly("session", "session");
        assertThat(published.get(0).json()).contains("\"action\":\"created\"");
        assertThat(published.get(1).json()).contains("\"action\":\"activated\"");
        store.flush().join();
        assertThat(store.findActiveSession()).map(Session::sessionId).contains(s.sessionId());
    }

    @Test
    void anotherModelOfTheSameProviderStaysInTheSessionWithTheNewWindow() {
        Session first = sessions.resolve(null, router.resolve("a1"));

        Session second = sessions.resolve(null, router.resolve("a2"));

        assertThat(second.sessionId()).isEqualTo(first.sessionId());
        assertThat(second.model()).isEqualTo("a2");
        assertThat(second.contextWindow()).isEqualTo(2000);
    }

    @Test
    void anotherProviderStartsANewActiveSession() {
        Session first = sessions.resolve(null, router.resolve("a1"));

        Session second = sessions.resolve(null, router.resolve("b1"));

        assertThat(second.sessionId()).isNotEqualTo(first.sessionId());
        assertThat(sessions.active()).map(Session::sessionId).contains(second.sessionId());
        assertThat(sessions.get(first.sessionId())).map(Session::active).contains(false);
    }

    @Test
    void namedSessionIsCreatedOnFirstUseWithoutTakingOverTheActiveOne() {
        Session active = sessions.resolve(null, router.resolve("a1"));

        Session named = sessions.resolve("agent-1", router.resolve("b1"));
        Session again = sessions.resolve("agent-1", router.resolve("b1"));

        assertThat(named.sessionId()).isEqualTo("agent-1");
        assertThat(again.sessionId()).isEqualTo("agent-1");
        assertThat(sessions.active()).map(Session::sessionId).contains(active.sessionId());
    }

    @Test
    void namedSessionBecomesActiveWhenNoneIs() {
        Session named = sessions.resolve("agent-1", router.resolve("a1"));

        assertThat(sessions.active()).map(Session::sessionId).contains(named.sessionId());
    }

    @Test
    void aConvergenceSessionIdCannotBeUsedForProxyRequests() {
        store.saveSession(new Session("loop-1", SessionKind.CONVERGENCE, null, "https://example.com",
                SessionStatus.RUNNING, clock.instant(), null, "IDLE", 0, "{}", null, null, 0,
                SessionTotals.ZERO, false, ConvergenceTotals.ZERO)).join();

        assertThatThrownBy(() -> sessions.resolve("loop-1", router.resolve("a1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("convergence");
    }

    @Test
    void activeSessionSurvivesAReload() {
        sessions.resolve(null, router.resolve("a1"));
        Session second = sessions.createAndActivate("Mine", "b1");
        store.flush().join();

        ProxySessions reloaded = ProxySessions.load(store, store, config, clock, feed);

        assertThat(reloaded.active()).map(Session::sessionId).contains(second.sessionId());
        assertThat(reloaded.all()).hasSize(2);
        assertThat(reloaded.active()).map(Session::name).contains("Mine");
    }

    @Test
    void removingTheActiveSessionLeavesNoneActiveAndTheNextRequestCreatesOne() {
        Session s = sessions.resolve(null, router.resolve("a1"));

        assertThat(sessions.remove(s.sessionId())).isTrue();

        assertThat(sessions.active()).isEmpty();
        assertThat(sessions.resolve(null, router.resolve("a1")).sessionId()).isNotEqualTo(s.sessionId());
    }

    @Test
    void activatingAnUnknownSessionFailsClearly() {
        assertThatThrownBy(() -> sessions.activate("nope")).isInstanceOf(SessionNotFoundException.class)
                .hasMessageContaining("nope");
        assertThatThrownBy(() -> sessions.createAndActivate(null, "zzz"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zzz");
    }

    @Test
    void clientSessionIdsAreValidated() {
        assertThat(ProxySessions.isValidId("agent-1.test:2_x")).isTrue();
        assertThat(ProxySessions.isValidId("has space")).isFalse();
        assertThat(ProxySessions.isValidId("")).isFalse();
        assertThat(ProxySessions.isValidId("x".repeat(129))).isFalse();
    }
}
