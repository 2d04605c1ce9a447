package io.kimi.api;

import io.kimi.protocol.BridgeState;
import io.kimi.services.internal.convergence.BridgeStatus;
import java.time.Instant;

/**
 * The convergence bridge's state as its wire record, with a French label, for {@code /health} and
 * {@code /api/metrics}.
 */
final class BridgeView {
    private BridgeView() {
    }

    static BridgeState of(BridgeStatus b) {
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
        return new BridgeState(b.state(), label, b.url(), time(b.connectedSince()), time(b.lastMessageAt()),
                b.messagesReceived(), b.eventsAccepted(), b.connections(), b.reconnects(), b.invalidEvents(),
                b.readPauses(), b.lastError(), time(b.nextAttemptAt()));
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
