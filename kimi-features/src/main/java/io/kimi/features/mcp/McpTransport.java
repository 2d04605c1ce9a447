package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs one JSON-RPC message to an MCP server (Streamable HTTP transport: {@code Accept: application/json,
 * text/event-stream}) and collects the whole reply, never waiting longer than the given time limit and never
 * holding more than a bounded number of bytes.
 */
final class McpTransport {

    /** An HTTP reply from the server. */
    record Reply(int status, String contentType, byte[] body, String sessionId) {
        boolean isEventStream() {
            return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
        }
    }

    private final HttpClient http;
    private final long maxReplyBytes;

    McpTransport(HttpClient http, long maxReplyBytes) {
        this.http = requireNonNull(http, "http");
        this.maxReplyBytes = maxReplyBytes;
    }

    /**
     * Sends {@code body} and waits for the whole reply.
     *
     * @param bearer the server's token, or {@code null}
     * @param sessionId the {@code Mcp-Session-Id} the server gave earlier, or {@code null}
     * @throws TimeoutException when the reply (headers and body) did not come within {@code timeout}
     * @throws IOException when the connection failed, or the body exceeded the limit ({@link
     *     BoundedBody.TooLarge} somewhere in the cause chain)
     * @throws InterruptedException when interrupted while waiting
     */
    Reply post(URI url, byte[] body, String bearer, String sessionId, Duration timeout)
            throws TimeoutException, IOException, InterruptedException {
        return await(start(url, body, bearer, sessionId, timeout), timeout);
    }

    /** Sends {@code body}; the reply comes later, see {@link #await}. */
    CompletableFuture<HttpResponse<byte[]>> start(URI url, byte[] body, String bearer, String sessionId,
            Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (sessionId != null) {
            request.header("Mcp-Session-Id", sessionId);
        }
        return http.sendAsync(request.build(), info -> new BoundedBody(maxReplyBytes));
    }

    /**
     * Waits at most {@code timeout} for a reply started with {@link #start}; cancels it on timeout.
     *
     * @throws TimeoutException, IOException, InterruptedException as {@link #post} does
     */
    Reply await(CompletableFuture<HttpResponse<byte[]>> pending, Duration timeout)
            throws TimeoutException, IOException, InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = pending.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException timeoutException) {
                TimeoutException converted = new TimeoutException(timeoutException.getMessage());
                converted.initCause(timeoutException);
                throw converted;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause == null ? "request failed" : cause.toString(), cause);
        }
        return new Reply(response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null),
                response.body(),
                response.headers().firstValue("Mcp-Session-Id").orElse(null));
    }
}
