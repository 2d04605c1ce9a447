package io.kimi.features.compaction;

import io.kimi.core.ServerJson;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a model, through this proxy's own {@code /v1/chat/completions}, to summarise the replaced messages. The
 * request carries {@code X-Session-Id: }{@value #SESSION_ID}, so the summariser's cost shows in a session of its
 * own. On any failure (connection, non-2xx status, timeout, unreadable or empty reply) it logs why at WARN and
 * returns the fallback summariser's summary instead: its future never fails because of the model. Never blocks
 * the caller (the JDK client's asynchronous send). Thread-safe.
 */
public final class ModelSummarizer implements Summarizer {
    /** The {@link Summary#method()} of its summaries. */
    public static final String METHOD = "model";
    /** The session the summariser's own requests count in. */
    public static final String SESSION_ID = "kimi-compaction";
    /** Summaries longer than this are cut. */
    static final int MAX_SUMMARY_CHARS = 12_000;

    static final String INSTRUCTION = """
            You compact the earlier part of a conversation between a user and an AI coding assistant, so that \
            the assistant can continue the work without it. Write a concise summary (at most about 600 words) \
            that keeps: what the user asked for and any constraints they gave; decisions taken and why; files \
            read, created or changed (exact paths); commands run and their outcome; errors met and whether \
            they were fixed; the current state of the work and what remains to do. Keep exact identifiers, \
            paths, numbers and error messages. Do not invent anything. Do not address the user; write only \
            the summary.""";

    private static final Logger log = LoggerFactory.getLogger(ModelSummarizer.class);
    private static final ObjectMapper JSON = ServerJson.newMapper();

    private final URI endpoint;
    private final String modelKey;
    private final Duration timeout;
    private final HttpClient http;
    private final Summarizer fallback;
    private final String accessToken;

    /**
     * @param proxyBase this proxy's base URL, such as {@code http://127.0.0.1:8766} ({@code /v1/chat/completions}
     *     is appended)
     * @param modelKey the model key that writes summaries
     * @param timeout the longest wait for the whole reply
     * @param http the client to send with
     * @param fallback what summarises when the model does not
     */
    public ModelSummarizer(URI proxyBase, String modelKey, Duration timeout, HttpClient http, Summarizer fallback) {
        this(proxyBase, modelKey, timeout, http, fallback, null);
    }

    /**
     * As above, for a proxy that requires its access token.
     *
     * @param accessToken sent as {@code Authorization: Bearer}; {@code null} for none. Never logged.
     */
    public ModelSummarizer(URI proxyBase, String modelKey, Duration timeout, HttpClient http, Summarizer fallback,
            String accessToken) {
        requireNonNull(proxyBase, "proxyBase");
        this.modelKey = requireNonNull(modelKey, "modelKey");
        this.timeout = requireNonNull(timeout, "timeout");
        this.http = requireNonNull(http, "http");
        this.fallback = requireNonNull(fallback, "fallback");
        this.accessToken = accessToken;
        if (modelKey.isBlank()) {
            throw new IllegalArgumentException("modelKey: blank (expected: a model key)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        String base = proxyBase.toString();
        if (!proxyBase.isAbsolute() || !base.startsWith("http")) {
            throw new IllegalArgumentException("proxyBase: " + proxyBase + " (expected: an http(s) URL)");
        }
        this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/v1/chat/completions");
    }

    @Override
    public CompletableFuture<Summary> summarize(List<JsonNode> messages, SummaryRequest request) {
        requireNonNull(messages, "messages");
        requireNonNull(request, "request");
        HttpRequest httpRequest;
        try {
            httpRequest = httpRequest(messages);
        } catch (RuntimeException e) {
            log.warn("Summariser model '{}' could not be asked for compaction {} of session {}; using the fallback"
                    + " summary", modelKey, request.compactionId(), request.sessionId(), e);
            return fallback.summarize(messages, request);
        }
        CompletableFuture<HttpResponse<String>> sent;
        try {
            sent = http.sendAsync(httpRequest, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            log.warn("Summariser model '{}' could not be asked for compaction {} of session {}; using the fallback"
                    + " summary", modelKey, request.compactionId(), request.sessionId(), e);
            return fallback.summarize(messages, request);
        }
        // A copy times out, so that cancelling the original aborts the exchange (the JDK client's future does).
        return sent.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        sent.cancel(true);
                        log.warn("Summariser model '{}' failed for compaction {} of session {} ({}); using the"
                                + " fallback summary", modelKey, request.compactionId(), request.sessionId(),
                                describe(cause), cause);
                        return fallback.summarize(messages, request);
                    }
                    String text;
                    try {
                        text = summaryText(response);
                    } catch (IllegalArgumentException e) {
                        log.warn("Summariser model '{}' failed for compaction {} of session {}: {}; using the"
                                + " fallback summary", modelKey, request.compactionId(), request.sessionId(),
                                e.getMessage());
                        return fallback.summarize(messages, request);
                    }
                    return CompletableFuture.completedFuture(
                            new Summary(Messages.truncate(text, MAX_SUMMARY_CHARS), METHOD));
                })
                .thenCompose(summary -> summary);
    }

    private HttpRequest httpRequest(List<JsonNode> messages) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", modelKey);
        ArrayNode chat = body.putArray("messages");
        chat.addObject().put("role", "system").put("content", INSTRUCTION);
        chat.addObject().put("role", "user").put("content",
                "Summarise this part of the conversation:\n\n" + Transcript.render(messages));
        body.put("stream", false);
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("X-Session-Id", SESSION_ID)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (accessToken != null && !accessToken.isEmpty()) {
            builder.header("Authorization", "Bearer " + accessToken);
        }
        return builder.build();
    }

    /**
     * The summary a response gives: {@code choices[0].message.content} of a 2xx chat completion, stripped.
     *
     * @throws IllegalArgumentException saying why the response gives none
     */
    private static String summaryText(HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new IllegalArgumentException("HTTP " + response.statusCode());
        }
        String body = response.body();
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the reply is not JSON (" + body.length() + " characters)", e);
        }
        JsonNode content = root == null ? null : root.path("choices").path(0).path("message").path("content");
        if (content == null || !content.isTextual()) {
            throw new IllegalArgumentException("the reply has no choices[0].message.content");
        }
        String text = content.textValue().strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("the reply's summary is empty");
        }
        return text;
    }

    private String describe(Throwable cause) {
        if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
            return "no reply within " + timeout.toMillis() + " ms";
        }
        return cause.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "ModelSummarizer[" + modelKey + " via " + endpoint + "]";
    }
}
