package io.kimi.services.convergence;

import java.time.Instant;

/**
 * The convergence bridge's state, for {@code /health} and {@code /api/metrics}.
 *
 * @param state {@code disabled}, {@code connecting}, {@code connected} or {@code waiting} (to reconnect)
 * @param url the loop's URL, or {@code null} when disabled
 * @param connectedSince when the current connection opened, or {@code null}
 * @param lastMessageAt when the last message arrived, or {@code null}
 * @param messagesReceived messages received since start
 * @param eventsAccepted events stored since start (duplicates excluded)
 * @param connections successful connections since start
 * @param lastError the last connection problem, or {@code null}
 * @param nextAttemptAt when the next connection attempt is due while waiting, or {@code null}
 */
public record BridgeStatus(String state, String url, Instant connectedSince, Instant lastMessageAt,
        long messagesReceived, long eventsAccepted, long connections, String lastError, Instant nextAttemptAt) {

    public static BridgeStatus disabled() {
        return new BridgeStatus("disabled", null, null, null, 0, 0, 0, null, null);
    }
}
