package io.kimi.features.compaction;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.features.chat.ChatModel;
import io.kimi.features.chat.ChatReply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a model, through the server's in-process {@link ChatModel} (the proxy's own path), to summarise the
 * replaced messages. The call is recorded in the session {@value #SESSION_ID}, so the summariser's cost shows in
 * a session of its own. On any failure (the call not made, a non-2xx status, timeout, unreadable or empty reply)
 * it logs why at WARN and returns the fallback summariser's summary instead: its future never fails because of
 * the model. Never blocks the caller. Thread-safe.
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

    private final ChatModel chat;
    private final String modelKey;
    private final Duration timeout;
    private final Summarizer fallback;
    private final ObjectMapper json;

    /**
     * @param chat the model, reached in-process
     * @param modelKey the model key that writes summaries
     * @param timeout the longest wait for the whole reply
     * @param fallback what summarises when the model does not
     * @param json the server's configured mapper
     */
    public ModelSummarizer(ChatModel chat, String modelKey, Duration timeout, Summarizer fallback,
            ObjectMapper json) {
        this.chat = requireNonNull(chat, "chat");
        this.modelKey = requireNonNull(modelKey, "modelKey");
        this.timeout = requireNonNull(timeout, "timeout");
        this.fallback = requireNonNull(fallback, "fallback");
        this.json = requireNonNull(json, "json");
        if (modelKey.isBlank()) {
            throw new IllegalArgumentException("modelKey: blank (expected: a model key)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
    }

    @Override
    public CompletableFuture<Summary> summarize(List<JsonNode> messages, SummaryRequest request) {
        requireNonNull(messages, "messages");
        requireNonNull(request, "request");
        CompletableFuture<ChatReply> sent;
        try {
            sent = chat.complete(SESSION_ID, chatRequest(messages));
        } catch (RuntimeException e) {
            log.warn("Summariser model '{}' could not be asked for compaction {} of session {}; using the fallback"
                    + " summary", modelKey, request.compactionId(), request.sessionId(), e);
            return fallback.summarize(messages, request);
        }
        // A copy times out, so that cancelling the original abandons the call.
        return sent.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((reply, error) -> {
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
                        text = summaryText(reply);
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

    private ObjectNode chatRequest(List<JsonNode> messages) {
        ObjectNode body = json.createObjectNode();
        body.put("model", modelKey);
        ArrayNode chat = body.putArray("messages");
        chat.addObject().put("role", "system").put("content", INSTRUCTION);
        chat.addObject().put("role", "user").put("content",
                "Summarise this part of the conversation:\n\n" + Transcript.render(messages));
        body.put("stream", false);
        return body;
    }

    /**
     * The summary a reply gives: {@code choices[0].message.content} of a 2xx chat completion, stripped.
     *
     * @throws IllegalArgumentException saying why the response gives none
     */
    private String summaryText(ChatReply reply) {
        if (reply.status() / 100 != 2) {
            throw new IllegalArgumentException("HTTP " + reply.status());
        }
        String body = reply.body();
        JsonNode root;
        try {
            root = json.readTree(body);
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
        if (cause instanceof TimeoutException) {
            return "no reply within " + timeout.toMillis() + " ms";
        }
        return cause.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "ModelSummarizer[" + modelKey + "]";
    }
}
