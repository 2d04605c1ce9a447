package io.kimi.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.protocol.SubscriptionChange;
import io.kimi.protocol.SubscriptionRules;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link WebSocketClient}'s subscriptions: changed by the user, sent to the server when connected, restored on
 * each new connection, and used to drop what a connection pushes before they are restored. A change and what it
 * sends happen under one lock, so the server sees the changes in the order they were made. Thread-safe.
 */
final class LiveSubscriptions {
    private final PendingReplies replies;
    /** The server's own rules (kimi-protocol), mirrored to restore them with the fewest messages. */
    private final SubscriptionRules state = new SubscriptionRules();

    LiveSubscriptions(PendingReplies replies, List<String> initial) {
        this.replies = replies;
        if (!initial.isEmpty()) {
            state.subscribe(initial);
        }
    }

    /**
     * Applies {@code subscribe} or {@code unsubscribe} of {@code names} and sends it; the server's description of
     * the subscriptions, or, when not connected, the client's (it is sent on connecting).
     */
    CompletableFuture<List<String>> change(String action, List<String> names) {
        CompletableFuture<JsonNode> reply;
        synchronized (state) {
            SubscriptionChange change = new SubscriptionChange(action, names);
            state.apply(change);
            reply = replies.send(action, message(change));
            if (reply == null) {
                return CompletableFuture.completedFuture(state.describe());
            }
        }
        return PendingReplies.parsed(reply, action, null, LiveSubscriptions::subscribed);
    }

    /** Brings a new connection (which receives everything) to the subscriptions; completes when it is there. */
    CompletableFuture<Void> restore() {
        List<CompletableFuture<JsonNode>> sent = new ArrayList<>();
        synchronized (state) {
            for (SubscriptionChange op : state.replay()) {
                CompletableFuture<JsonNode> reply = replies.send(op.action(), message(op));
                sent.add(reply != null ? reply : CompletableFuture.failedFuture(
                        new DashboardConnectionException("the connection was lost while restoring subscriptions")));
            }
        }
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
    }

    /** Whether a pushed message of this type and topic (the event type, for events) is wanted. */
    boolean wants(String type, String topic) {
        synchronized (state) {
            return state.wants(type, topic);
        }
    }

    private static ObjectNode message(SubscriptionChange change) {
        return Json.MAPPER.valueToTree(change);
    }

    private static List<String> subscribed(JsonNode data) {
        List<String> out = new ArrayList<>();
        data.path("subscribed").forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }
}
