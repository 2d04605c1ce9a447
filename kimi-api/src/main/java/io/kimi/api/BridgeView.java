package io.kimi.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.services.internal.convergence.BridgeStatus;

/** The convergence bridge's state as JSON, with a French label, for {@code /health} and {@code /api/metrics}. */
final class BridgeView {
    private BridgeView() {
    }

    static ObjectNode of(BridgeStatus b, ObjectMapper json) {
        ObjectNode n = json.createObjectNode();
        String label;
        switch (b.state()) {
            case "connected":
                label = "connectée";
                break;
            case "connecting":
                label = "connexion en cours";
                break;
            case "waiting":
                label = "injoignable, nouvel essai prévu";
                break;
            case "mock":
                label = "boucle simulée";
                break;
            default:
                label = "désactivée";
                break;
        }
        n.put("state", b.state()).put("label", label).put("url", b.url())
                .put("connected_since", b.connectedSince() == null ? null : b.connectedSince().toString())
                .put("last_message_at", b.lastMessageAt() == null ? null : b.lastMessageAt().toString())
                .put("messages_received", b.messagesReceived())
                .put("events_accepted", b.eventsAccepted())
                .put("connections", b.connections())
                .put("reconnects", b.reconnects())
                .put("invalid_events", b.invalidEvents())
                .put("read_pauses", b.readPauses())
                .put("last_error", b.lastError())
                .put("next_attempt_at", b.nextAttemptAt() == null ? null : b.nextAttemptAt().toString());
        return n;
    }
}
