package io.kimi.client;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The dashboard's REST API. Each method blocks until the reply is read; {@link #async()} gives the same calls
 * returning {@link CompletableFuture}s.
 *
 * <pre>{@code
 * DashboardClient client = DashboardClient.create("http://127.0.0.1:8766");
 * for (Session s : client.listSessions(10, 0).sessions()) {
 *     System.out.println(s.sessionId() + ": " + s.status());
 * }
 * }</pre>
 *
 * <p>Errors are unchecked: {@link DashboardConnectionException} when the dashboard cannot be reached or does not
 * answer within the request timeout, {@link SessionNotFoundException} for an unknown session, {@link ApiException}
 * (status, error code, message) for any other error reply, {@link DashboardException} for a reply that cannot be
 * read, or when Jackson is missing or of an incompatible version (the message names the artifact and version;
 * {@link Builder#build()} checks it first). No call waits longer than the request timeout for the whole reply,
 * body included. A thread interrupted while waiting gets a {@link DashboardConnectionException} with its
 * interrupt flag set, and the exchange is abandoned.
 *
 * <p>Immutable and thread-safe: build one and share it. It holds no resources that need closing beyond the JDK
 * {@link HttpClient} it wraps (whose idle connections time out by themselves).
 */
public final class DashboardClient {
    /** How much longer than the request timeout a blocking call waits, for a future its deadline failed. */
    static final Duration AWAIT_MARGIN = Duration.ofSeconds(1);

    private final AsyncDashboardClient async;
    private final URI baseUri;
    private final Duration awaitBound;

    private DashboardClient(AsyncDashboardClient async, URI baseUri, Duration requestTimeout) {
        this.async = async;
        this.baseUri = baseUri;
        this.awaitBound = requestTimeout.plus(AWAIT_MARGIN);
    }

    /** A client with default timeouts and no access token. */
    public static DashboardClient create(String baseUri) {
        return builder().baseUri(baseUri).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The same calls, returning futures. */
    public AsyncDashboardClient async() {
        return async;
    }

    /** e.g. {@code http://127.0.0.1:8766}. */
    public URI baseUri() {
        return baseUri;
    }

    /** {@code GET /api/sessions?limit&offset}: sessions of both kinds, newest first. */
    public SessionPage listSessions(int limit, int offset) {
        return await(async.listSessions(limit, offset), awaitBound);
    }

    /** As {@link #listSessions(int, int)}, only {@code proxy} or {@code convergence} sessions ({@code null}: both). */
    public SessionPage listSessions(int limit, int offset, String kind) {
        return await(async.listSessions(limit, offset, kind), awaitBound);
    }

    /** {@code GET /api/sessions/{id}}; {@link SessionNotFoundException} when there is none. */
    public Session getSession(String sessionId) {
        return await(async.getSession(sessionId), awaitBound);
    }

    /** {@code GET /api/sessions/{id}/events?limit&offset}: events oldest first; limit 1-1000. */
    public EventPage getEvents(String sessionId, int limit, int offset) {
        return await(async.getEvents(sessionId, limit, offset), awaitBound);
    }

    /** {@code GET /api/metrics}. */
    public SystemMetrics getMetrics() {
        return await(async.getMetrics(), awaitBound);
    }

    /** {@code GET /api/sessions/{id}/metrics}. */
    public SessionMetrics getSessionMetrics(String sessionId) {
        return await(async.getSessionMetrics(sessionId), awaitBound);
    }

    /** {@code GET /api/sessions/active}; an {@link ApiException} coded {@code no_active_session} when none is. */
    public Session activeSession() {
        return await(async.activeSession(), awaitBound);
    }

    /** {@code GET /api/providers}. */
    public List<Provider> providers() {
        return await(async.providers(), awaitBound);
    }

    /** {@code GET /api/export/{csv|json}} of a session ({@code null}: the active one), as text. */
    public String export(ExportFormat format, String sessionId) {
        return await(async.export(format, sessionId), awaitBound);
    }

    /**
     * One page of {@code GET /api/export/{csv|json}}: {@code limit} rows (1 to 20,000) from {@code offset}, counted
     * from the oldest; for sessions larger than one export holds ({@code export_too_large}).
     */
    public String export(ExportFormat format, String sessionId, long offset, int limit) {
        return await(async.export(format, sessionId, offset, limit), awaitBound);
    }

    /**
     * Waits for {@code future} at most {@code bound} (the futures of this client fail by themselves before that);
     * its failure is rethrown as the unchecked exception it is, a {@link DashboardException} for a checked one.
     */
    static <T> T await(CompletableFuture<T> future, Duration bound) {
        try {
            return future.get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new DashboardConnectionException("interrupted while waiting for the dashboard", e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new DashboardConnectionException("no reply from the dashboard within " + bound.toMillis() + " ms",
                    e);
        } catch (CancellationException e) {
            throw new DashboardConnectionException("the request was cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = Rest.unwrap(e);
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof LinkageError) {
                throw Dependencies.missing((LinkageError) cause);
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new DashboardException("the request failed: " + Rest.describe(cause), cause);
        }
    }

    /**
     * Configures a {@link DashboardClient}. Defaults: connect timeout 10 s, request timeout 30 s, no access
     * token, the JDK HTTP client's own executor.
     */
    public static final class Builder {
        private URI baseUri;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private String authToken;
        private Executor executor;

        private Builder() {
        }

        /** The dashboard, e.g. {@code http://127.0.0.1:8766} (required). */
        public Builder baseUri(String value) {
            return baseUri(URI.create(requireNonNull(value, "baseUri")));
        }

        public Builder baseUri(URI value) {
            requireNonNull(value, "baseUri");
            if (!"http".equalsIgnoreCase(value.getScheme()) && !"https".equalsIgnoreCase(value.getScheme())
                    || value.getHost() == null) {
                throw new IllegalArgumentException("baseUri: " + value + " (expected: http(s)://host:port)");
            }
            this.baseUri = value;
            return this;
        }

        /** How long to wait for the TCP connection. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /** How long to wait for each whole reply (status, headers and body); past it the call fails. */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = positive(value, "requestTimeout");
            return this;
        }

        /** The server's access token ({@code KIMI_AUTH_TOKEN}), sent as {@code Authorization: Bearer}. */
        public Builder authToken(String value) {
            this.authToken = requireNonNull(value, "authToken");
            return this;
        }

        /** Runs the HTTP client's asynchronous work and dependent stages of the futures. */
        public Builder executor(Executor value) {
            this.executor = requireNonNull(value, "executor");
            return this;
        }

        /**
         * A new client.
         *
         * @throws DashboardException when Jackson is missing from the class path or of an incompatible version
         */
        public DashboardClient build() {
            if (baseUri == null) {
                throw new IllegalStateException("baseUri is required, e.g. http://127.0.0.1:8766");
            }
            Dependencies.require();
            HttpClient.Builder http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER);
            if (executor != null) {
                http.executor(executor);
            }
            Rest rest = new Rest(http.build(), baseUri, requestTimeout, authToken);
            return new DashboardClient(new AsyncDashboardClient(rest), rest.base(), requestTimeout);
        }

        static Duration positive(Duration value, String name) {
            requireNonNull(value, name);
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: positive)");
            }
            return value;
        }
    }
}
