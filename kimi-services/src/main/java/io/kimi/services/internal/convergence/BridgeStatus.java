package io.kimi.services.internal.convergence;

import java.time.Instant;

/**
 * The convergence bridge's state, for {@code /health} and {@code /api/metrics}.
 *
 * @param state {@code disabled}, {@code mock}, {@code connecting}, {@code connected} or {@code waiting} (to
 *     reconnect)
 * @param url the loop's URL, or {@code null} when disabled
 * @param connectedSince when the current connection opened, or {@code null}
 * @param lastMessageAt when the last message arrived, or {@code null}
 * @param messagesReceived messages received since start
 * @param eventsAccepted events stored since start (duplicates excluded)
 * @param connections successful connections since start
 * @param reconnects open connections lost since start (closed or broken by the loop, or silent past the liveness
 *     timeout), each followed by reconnecting
 * @param invalidEvents events the loop sent that were dropped as invalid (bad fields, a timestamp out of range, a
 *     message that is not JSON)
 * @param readPauses times reading paused because more than 1 MiB of messages waited to be
 *     stored (the database is slower than the loop; TCP then slows the loop)
 * @param lastError the last connection problem, or {@code null}
 * @param nextAttemptAt when the next connection attempt is due while waiting, or {@code null}
 */
public record BridgeStatus(String state, String url, Instant connectedSince, Instant lastMessageAt,
        long messagesReceived, long eventsAccepted, long connections, long reconnects, long invalidEvents,
        long readPauses, String lastError, Instant nextAttemptAt) {

    public static BridgeStatus disabled() {
        return idle("disabled");
    }

    /** The built-in simulated loop runs instead of a bridge. */
    public static BridgeStatus mock() {
        return idle("mock");
    }

    private static BridgeStatus idle(String state) {
        return new BridgeStatus(state, null, null, null, 0, 0, 0, 0, 0, 0, null, null);
    }
}
