package io.kimi.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;

/**
 * A compaction of a proxy session: a run of the conversation's messages (identified by their hashes, in order)
 * that the proxy replaces by one summary message on every request that still carries them, until undone.
 *
 * @param compactionId unique id
 * @param sessionId the proxy session
 * @param createdAt when it was applied
 * @param messageHashes hashes of the replaced messages, in conversation order (never empty)
 * @param summary the text of the summary message sent instead
 * @param method how the summary was made: {@code model} (a summariser model through the proxy) or
 *     {@code heuristic}
 * @param automatic whether the threshold triggered it (else the user did)
 * @param tokensBefore prompt tokens of the conversation it was computed on, before
 * @param tokensAfter the same conversation's prompt tokens after
 * @param undoneAt when the user undid it, or {@code null} while it applies
 */
public record CompactionRecord(
        String compactionId,
        String sessionId,
        Instant createdAt,
        List<String> messageHashes,
        String summary,
        String method,
        boolean automatic,
        int tokensBefore,
        int tokensAfter,
        Instant undoneAt) {

    public CompactionRecord {
        requireNonNull(compactionId, "compactionId");
        requireNonNull(sessionId, "sessionId");
        requireNonNull(createdAt, "createdAt");
        messageHashes = List.copyOf(requireNonNull(messageHashes, "messageHashes"));
        if (messageHashes.isEmpty()) {
            throw new IllegalArgumentException("messageHashes: empty (expected: at least one replaced message)");
        }
        requireNonNull(summary, "summary");
        requireNonNull(method, "method");
    }

    /** Whether it still applies to later requests. */
    public boolean active() {
        return undoneAt == null;
    }

    public CompactionRecord undone(Instant when) {
        return new CompactionRecord(compactionId, sessionId, createdAt, messageHashes, summary, method, automatic,
                tokensBefore, tokensAfter, requireNonNull(when, "when"));
    }
}
