package io.kimi.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kimi.api.testing.KimiServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every {@link DashboardClient} call against a real dashboard on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardClientTest {
    @RegisterExtension
    static final KimiServerExtension server = new KimiServerExtension();
    DashboardClient client;
    final String converged = UUID.randomUUID().toString();
    final String running = UUID.randomUUID().toString();

    @BeforeAll
    void start() {
        server.postEvents(Loops.converged(converged));
        server.postEvents(List.of(
                Loops.event(running, 0, "IDLE", "SESSION_STARTED", "{\"target\":\"https://shop.example.com\"}"),
                Loops.event(running, 1, "DIAGNOSING", "ITERATION_STARTED", "{}"),
                Loops.event(running, 1, "DIAGNOSING", "FUTURE_EVENT_TYPE", "{\"novel\":true}")));
        assertThat(server.chat("kimi-k2")).isEqualTo(200);
        client = DashboardClient.builder().baseUri(server.baseUrl()).requestTimeout(Duration.ofSeconds(20)).build();
    }

    @Test
    void listsSessionsOfBothKindsAndFiltersByKind() {
        SessionPage all = client.listSessions(10, 0);
        assertThat(all.total()).isEqualTo(3);
        assertThat(all.limit()).isEqualTo(10);
        assertThat(all.sessions()).extracting(Session::kind).containsOnly("proxy", "convergence");

        SessionPage convergence = client.listSessions(10, 0, "convergence");
        assertThat(convergence.total()).isEqualTo(2);
        assertThat(convergence.sessions()).extracting(Session::sessionId).containsExactlyInAnyOrder(converged, running);

        SessionPage second = client.listSessions(1, 1, "convergence");
        assertThat(second.sessions()).hasSize(1);
        assertThat(second.offset()).isEqualTo(1);
    }

    @Test
    void getsAConvergenceSessionWithItsTotals() {
        Session s = client.getSession(converged);
        assertThat(s.isConvergence()).isTrue();
        assertThat(s.status()).isEqualTo("converged");
        assertThat(s.target()).isEqualTo("https://example.com");
        assertThat(s.config()).containsEntry("max_iterations", 10);
        assertThat(s.currentIteration()).isEqualTo(2);
        assertThat(s.startTime()).isNotNull();
        assertThat(s.endTime()).isNotNull();
        assertThat(s.finalState()).isEqualTo("CONVERGED");
        assertThat(s.metrics().totalFindings()).isEqualTo(3);
        assertThat(s.metrics().totalFixes()).isEqualTo(3);
        assertThat(s.totals()).isNull();
    }

    @Test
    void getsEventsOldestFirstKeepingUnknownTypes() {
        EventPage page = client.getEvents(running, 100, 0);
        assertThat(page.total()).isEqualTo(3);
        assertThat(page.events()).extracting(Event::eventType).containsExactly(EventType.SESSION_STARTED,
                EventType.ITERATION_STARTED, EventType.of("FUTURE_EVENT_TYPE"));
        Event last = page.events().get(2);
        assertThat(last.sessionId()).isEqualTo(running);
        assertThat(last.iteration()).isEqualTo(1);
        assertThat(last.state()).isEqualTo("DIAGNOSING");
        assertThat(last.data()).containsEntry("novel", true);
        assertThat(last.timestamp()).isNotNull();

        EventPage paged = client.getEvents(converged, 2, 2);
        assertThat(paged.events()).hasSize(2);
        assertThat(paged.total()).isEqualTo(9);
        assertThat(paged.events().get(0).dataText("step")).isEqualTo("diagnose");
    }

    @Test
    void readsSystemMetrics() {
        SystemMetrics m = client.getMetrics();
        assertThat(m.totalSessions()).isEqualTo(2);
        assertThat(m.activeSessions()).isEqualTo(1);
        assertThat(m.convergedSessions()).isEqualTo(1);
        assertThat(m.findingsBySeverity()).containsEntry("critical", 1L).containsEntry("high", 2L);
        assertThat(m.proxy().requests()).isEqualTo(1);
        assertThat(m.proxy().totalTokens()).isEqualTo(17);
        assertThat(m.proxy().tokensPerMinute().last60s()).isEqualTo(17);
        assertThat(m.proxy().latencyMs().count()).isEqualTo(1);
        assertThat(m.bridge()).containsEntry("state", "disabled");
    }

    @Test
    void readsSessionMetricsOfBothKinds() {
        SessionMetrics c = client.getSessionMetrics(converged);
        assertThat(c.kind()).isEqualTo("convergence");
        assertThat(c.iterations()).isEqualTo(2);
        assertThat(c.findingsPerIteration()).containsExactly(3L, 0L);
        assertThat(c.fixesPerIteration()).containsExactly(3L, 0L);
        assertThat(c.stepDurations().get("diagnose")).containsExactly(120.0, 100.0);

        Session active = client.activeSession();
        SessionMetrics p = client.getSessionMetrics(active.sessionId());
        assertThat(p.kind()).isEqualTo("proxy");
        assertThat(p.requests()).isEqualTo(1);
        assertThat(p.promptTokens()).isEqualTo(10);
        assertThat(p.completionTokens()).isEqualTo(7);
        assertThat(p.context().window()).isEqualTo(262144);
        assertThat(p.findingsPerIteration()).isEmpty();
    }

    @Test
    void readsTheActiveProxySessionWithItsRequests() {
        Session s = client.activeSession();
        assertThat(s.kind()).isEqualTo("proxy");
        assertThat(s.active()).isTrue();
        assertThat(s.provider()).isEqualTo("fake");
        assertThat(s.model()).isEqualTo("kimi-k2");
        assertThat(s.totals().totalTokens()).isEqualTo(17);
        assertThat(s.context().level()).isEqualTo("normal");
        assertThat(s.recentRequests()).hasSize(1);
        ProxyRequest r = s.recentRequests().get(0);
        assertThat(r.status()).isEqualTo("success");
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.promptTokens()).isEqualTo(10);
        assertThat(r.usageSource()).isEqualTo("reported");
    }

    @Test
    void listsProvidersWithoutKeys() {
        List<Provider> providers = client.providers();
        assertThat(providers).extracting(Provider::key).containsExactlyInAnyOrder("fake", "other", "nokey");
        assertThat(providers).filteredOn(p -> p.key().equals("fake")).singleElement().satisfies(p -> {
            assertThat(p.hasApiKey()).isTrue();
            assertThat(p.apiKeyEnv()).isEqualTo("FAKE_API_KEY");
            assertThat(p.models()).containsExactlyInAnyOrder("kimi-k2", "tiny");
        });
        assertThat(providers).filteredOn(p -> p.key().equals("nokey")).singleElement()
                .satisfies(p -> assertThat(p.hasApiKey()).isFalse());
        assertThat(providers.toString()).doesNotContain(KimiServerExtension.API_KEY);
    }

    @Test
    void exportsTheActiveSessionOrANamedOne() {
        String csv = client.export(ExportFormat.CSV, null);
        assertThat(csv.lines().count()).isEqualTo(2);
        assertThat(csv).contains("kimi-k2");
        String id = client.activeSession().sessionId();
        String json = client.export(ExportFormat.JSON, id);
        assertThat(json).contains("\"session_id\":\"" + id + "\"").contains("\"requests\"");
    }

    @Test
    void exportsOnePageOfASession() {
        String id = client.activeSession().sessionId();
        assertThat(client.export(ExportFormat.CSV, id, 0, 1).lines().count()).as("header and one row").isEqualTo(2);
        assertThat(client.export(ExportFormat.CSV, null, 1, 1).lines().count()).as("only the header").isEqualTo(1);
        assertThatThrownBy(() -> client.export(ExportFormat.JSON, id, 0, 20_001))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        assertThatThrownBy(() -> client.export(ExportFormat.JSON, id, -1, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownSessionIsSessionNotFound() {
        for (Runnable call : List.<Runnable>of(() -> client.getSession("nope"),
                () -> client.getEvents("nope", 10, 0), () -> client.getSessionMetrics("nope"),
                () -> client.export(ExportFormat.CSV, "nope"))) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(SessionNotFoundException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(404);
                assertThat(e.errorCode()).isEqualTo("session_not_found");
                assertThat(e.sessionId()).isEqualTo("nope");
                assertThat(e.serverMessage()).contains("nope");
            });
        }
    }

    @Test
    void otherErrorRepliesAreApiExceptions() {
        assertThatThrownBy(() -> client.async().listSessions(10, 0, "weird").join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e).isNotInstanceOf(SessionNotFoundException.class);
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.errorCode()).isEqualTo("invalid_request");
                    assertThat(e.getMessage()).contains("400");
                });
    }

    @Test
    void asyncCallsCompleteWithTheSameRecords() throws Exception {
        CompletableFuture<SessionPage> page = client.async().listSessions(5, 0);
        CompletableFuture<SystemMetrics> metrics = client.async().getMetrics();
        assertThat(page.get(10, TimeUnit.SECONDS).total()).isEqualTo(3);
        assertThat(metrics.get(10, TimeUnit.SECONDS).totalSessions()).isEqualTo(2);
        CompletableFuture<Session> cancelled = client.async().getSession(converged);
        cancelled.cancel(true);
        assertThat(cancelled).isCancelled();
    }

    @Test
    void aServerThatIsDownIsAConnectionFailureNotAnHttpError() {
        DashboardClient down = DashboardClient.builder().baseUri("http://127.0.0.1:" + KimiServerExtension.unusedPort())
                .connectTimeout(Duration.ofSeconds(2)).build();
        assertThatThrownBy(() -> down.listSessions(10, 0)).isInstanceOf(DashboardConnectionException.class)
                .isNotInstanceOf(ApiException.class).hasMessageContaining("127.0.0.1");
        assertThatThrownBy(() -> down.async().getMetrics().join()).cause()
                .isInstanceOf(DashboardConnectionException.class);
    }

    @Test
    void rejectsBadArgumentsBeforeSending() {
        assertThatThrownBy(() -> client.listSessions(0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit: 0 (expected: 1-1000)");
        assertThatThrownBy(() -> client.getEvents("x", 10, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.getSession(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> DashboardClient.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> DashboardClient.create("ftp://x")).isInstanceOf(IllegalArgumentException.class);
    }
}
