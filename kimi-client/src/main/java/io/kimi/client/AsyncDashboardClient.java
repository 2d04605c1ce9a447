package io.kimi.client;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The dashboard's REST API, asynchronously: every method returns at once with a future. Obtain it with
 * {@link DashboardClient#async()}; it shares that client's connection pool and settings.
 *
 * <p>Every future completes within the request timeout. Futures fail with a {@link DashboardConnectionException}
 * when the dashboard cannot be reached (or the whole reply has not come within the request timeout), a {@link SessionNotFoundException} for an unknown session, an {@link ApiException} for
 * any other error reply, and a plain {@link DashboardException} for a reply that cannot be read (the cause
 * arrives wrapped in a {@link java.util.concurrent.CompletionException} in {@code join()} and in dependent
 * stages, as usual); a {@link DashboardException} also when Jackson is missing or clashes, naming it. Cancelling
 * a future, or its failure, abandons its HTTP exchange. Dependent stages run on the client's executor or the
 * thread that completed the exchange (a pool thread of the JDK's for a timed-out one). Thread-safe.
 */
public final class AsyncDashboardClient {
    private final Rest rest;

    AsyncDashboardClient(Rest rest) {
        this.rest = rest;
    }

    /** {@code GET /api/sessions?limit&offset}: sessions of both kinds, newest first. */
    public CompletableFuture<SessionPage> listSessions(int limit, int offset) {
        return listSessions(limit, offset, null);
    }

    /**
     * {@code GET /api/sessions?limit&offset&kind}.
     *
     * @param limit 1-1000
     * @param offset 0 or more
     * @param kind {@code proxy}, {@code convergence}, or {@code null} for both
     */
    public CompletableFuture<SessionPage> listSessions(int limit, int offset, String kind) {
        checkPage(limit, offset);
        String query = "?limit=" + limit + "&offset=" + offset + (kind == null ? "" : "&kind=" + Rest.encode(kind));
        return rest.get("/api/sessions" + query, null, b -> Json.read(b, SessionPage.class));
    }

    /** {@code GET /api/sessions/{id}}: a session with its metrics (convergence) or recent requests (proxy). */
    public CompletableFuture<Session> getSession(String sessionId) {
        String id = checkId(sessionId);
        return rest.get("/api/sessions/" + Rest.encode(id), id, b -> Json.read(b, Session.class));
    }

    /** {@code GET /api/sessions/{id}/events?limit&offset}: events oldest first; limit 1-1000. */
    public CompletableFuture<EventPage> getEvents(String sessionId, int limit, int offset) {
        String id = checkId(sessionId);
        checkPage(limit, offset);
        return rest.get("/api/sessions/" + Rest.encode(id) + "/events?limit=" + limit + "&offset=" + offset, id,
                b -> Json.read(b, EventPage.class));
    }

    /** {@code GET /api/metrics}. */
    public CompletableFuture<SystemMetrics> getMetrics() {
        return rest.get("/api/metrics", null, b -> Json.read(b, SystemMetrics.class));
    }

    /** {@code GET /api/sessions/{id}/metrics}. */
    public CompletableFuture<SessionMetrics> getSessionMetrics(String sessionId) {
        String id = checkId(sessionId);
        return rest.get("/api/sessions/" + Rest.encode(id) + "/metrics", id, b -> Json.read(b, SessionMetrics.class));
    }

    /**
     * {@code GET /api/sessions/active}: the active proxy session with its recent requests. Fails with an
     * {@link ApiException} coded {@code no_active_session} (404) before the first proxied request.
     */
    public CompletableFuture<Session> activeSession() {
        return rest.get("/api/sessions/active", null, b -> Json.read(b, Session.class));
    }

    /** {@code GET /api/providers}: the configured providers (never their keys). */
    public CompletableFuture<List<Provider>> providers() {
        return rest.get("/api/providers", null, b -> List.of(Json.read(b, Providers.class).providers()));
    }

    /**
     * {@code GET /api/export/{csv|json}}: a proxy session's requests (a convergence session's events) as CSV text,
     * or the session and them as JSON text.
     *
     * @param sessionId the session, or {@code null} for the active one
     */
    public CompletableFuture<String> export(ExportFormat format, String sessionId) {
        requireNonNull(format, "format");
        String query = sessionId == null ? "" : "?session_id=" + Rest.encode(checkId(sessionId));
        return rest.get("/api/export/" + format.path() + query, sessionId,
                b -> new String(b, StandardCharsets.UTF_8));
    }

    /**
     * One page of an export: {@code limit} rows (the server takes 1 to 20,000) from {@code offset}, counted from
     * the oldest. A session with more rows than one export holds fails the unpaged {@link #export(ExportFormat,
     * String)} with an {@link ApiException} {@code export_too_large}; page through it with this.
     *
     * @param sessionId the session, or {@code null} for the active one
     */
    public CompletableFuture<String> export(ExportFormat format, String sessionId, long offset, int limit) {
        requireNonNull(format, "format");
        if (offset < 0 || limit < 1) {
            throw new IllegalArgumentException("offset must be >= 0 and limit >= 1, got " + offset + " and " + limit);
        }
        String query = "?offset=" + offset + "&limit=" + limit
                + (sessionId == null ? "" : "&session_id=" + Rest.encode(checkId(sessionId)));
        return rest.get("/api/export/" + format.path() + query, sessionId,
                b -> new String(b, StandardCharsets.UTF_8));
    }

    private record Providers(Provider[] providers) {
        Providers {
            providers = providers == null ? new Provider[0] : providers;
        }
    }

    static String checkId(String sessionId) {
        requireNonNull(sessionId, "sessionId");
        if (sessionId.isBlank()) {
            throw new IllegalArgumentException("sessionId: blank");
        }
        return sessionId;
    }

    static void checkPage(int limit, int offset) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1-1000)");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: 0 or more)");
        }
    }
}
