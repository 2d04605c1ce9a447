package io.kimi.features.compaction;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.features.chat.ChatModel;
import io.kimi.features.chat.ChatReply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ChatModel} for these tests that posts each call to a loopback chat endpoint (a fake provider),
 * naming the session in {@code X-Session-Id}; cancelling a call aborts its exchange. The server's own
 * implementation (the proxy's in-process path) is tested through a real server in kimi-api.
 */
final class LoopbackChatModel implements ChatModel {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;

    LoopbackChatModel(int port) {
        this.endpoint = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
    }

    @Override
    public CompletableFuture<ChatReply> complete(String sessionId, ObjectNode request) {
        HttpRequest post = HttpRequest.newBuilder(endpoint)
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-Session-Id", sessionId)
                .POST(HttpRequest.BodyPublishers.ofString(request.toString(), StandardCharsets.UTF_8))
                .build();
        CompletableFuture<HttpResponse<String>> sent = http.sendAsync(post,
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        CompletableFuture<ChatReply> reply = sent.thenApply(r -> new ChatReply(r.statusCode(), r.body()));
        reply.whenComplete((r, e) -> {
            if (reply.isCancelled()) {
                sent.cancel(true);
            }
        });
        return reply;
    }
}
