package io.kimi.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/** GETs against the dashboard, with its errors mapped to the exception hierarchy. Thread-safe. */
final class Rest {
    private final HttpClient http;
    private final URI base;
    private final Duration requestTimeout;
    private final String authorization;

    Rest(HttpClient http, URI base, Duration requestTimeout, String authToken) {
        this.http = http;
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.requestTimeout = requestTimeout;
        this.authorization = authToken == null ? null : "Bearer " + authToken;
    }

    URI base() {
        return base;
    }

    /**
     * GETs {@code path} and maps a 2xx body with {@code parse}. The future always completes, within the request
     * timeout: it fails with a {@link DashboardConnectionException} when the server cannot be reached or the whole
     * reply (status, headers and body) has not come within the timeout, an {@link ApiException} for an error
     * status, a {@link DashboardException} naming the library when {@code parse} hits a missing or clashing one
     * (a {@link LinkageError}), and with the throwable itself for anything else {@code parse} throws. Cancelling it,
     * or its failure, abandons the exchange.
     *
     * @param sessionId the session the path names, for {@link SessionNotFoundException}, or {@code null}
     */
    <T> CompletableFuture<T> get(String path, String sessionId, Function<byte[], T> parse) {
        URI uri = URI.create(base + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(requestTimeout)
                .header("Accept", "application/json, text/csv;q=0.9, */*;q=0.1");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        CompletableFuture<HttpResponse<byte[]>> exchange;
        try {
            exchange = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new DashboardConnectionException("GET " + uri + " failed: " + e, e));
        }
        // Our own future, not a stage of the JDK's: cancelling it marks it cancelled first, then abandons the
        // exchange (a JDK stage would cancel upstream first and could end as a transport failure instead).
        CompletableFuture<T> result = new CompletableFuture<>();
        exchange.whenComplete((response, error) -> {
            if (result.isDone()) {
                return;
            }
            try {
                if (error != null) {
                    throw transportFailure(uri, error);
                }
                int status = response.statusCode();
                if (status < 200 || status > 299) {
                    throw apiError(status, response.body(), sessionId);
                }
                result.complete(parse.apply(response.body()));
            } catch (LinkageError e) {
                result.completeExceptionally(Dependencies.missing(e));
            } catch (Throwable e) {
                // Whatever it is, the caller hears of it: a future left pending would park its get() for ever.
                result.completeExceptionally(e);
            }
        });
        // The JDK's request timeout stops at the response headers; this one covers the body too.
        Deadlines.failAfter(result, requestTimeout, () -> new DashboardConnectionException("GET " + uri
                + ": no complete reply within " + requestTimeout.toMillis() + " ms"));
        result.whenComplete((v, e) -> {
            if (e != null) {
                exchange.cancel(true);
            }
        });
        return result;
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static DashboardException transportFailure(URI uri, Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof DashboardException) {
            return (DashboardException) e;
        }
        String what = e instanceof HttpTimeoutException ? "timed out" : "failed";
        return new DashboardConnectionException("GET " + uri + " " + what + ": " + describe(e), e);
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : " (" + m + ")");
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** {@code {"error":{"message","type","code"}}} to the matching exception; a body that is not that, as is. */
    static ApiException apiError(int status, byte[] body, String sessionId) {
        String code = "http_" + status;
        String message = new String(body, StandardCharsets.UTF_8).strip();
        try {
            JsonNode error = Json.MAPPER.readTree(body).path("error");
            if (error.isObject()) {
                code = error.path("code").isTextual() ? error.path("code").asText()
                        : error.path("type").asText(code);
                message = error.path("message").asText(message);
            }
        } catch (IOException e) {
            // not JSON (a proxy in between, an HTML page): keep the text
            if (message.length() > 500) {
                message = message.substring(0, 500) + "...";
            }
        }
        if ("session_not_found".equals(code)) {
            return new SessionNotFoundException(status, sessionId, message);
        }
        return new ApiException(status, code, message);
    }
}
