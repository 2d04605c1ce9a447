package io.kimi.proxy;

import static java.util.Objects.requireNonNull;

/**
 * Limits of the relay.
 *
 * @param instanceId sent upstream in {@link HeaderPolicy#HOP_HEADER}; a request coming back with it is a loop
 * @param transcriptLimitBytes the most reply bytes kept per exchange for counting ({@link Transcript}; the server's
 *     {@code max_accounted_reply_bytes})
 * @param maxBufferedReplyBytes the largest non-streamed reply accepted (they are relayed whole), and the largest
 *     single event of a stream
 * @param maxErrorBodyBytes the most of a provider's error body read to build our error message
 */
public record ProxyOptions(String instanceId, int transcriptLimitBytes, int maxBufferedReplyBytes,
        int maxErrorBodyBytes) {

    public ProxyOptions {
        requireNonNull(instanceId, "instanceId");
        if (transcriptLimitBytes < 0 || maxBufferedReplyBytes < 1 || maxErrorBodyBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public static ProxyOptions defaults(String instanceId) {
        return new ProxyOptions(instanceId, 8 << 20, 32 << 20, 64 << 10);
    }

    /** These options keeping {@code bytes} of each reply for counting. */
    public ProxyOptions withTranscriptLimit(int bytes) {
        return new ProxyOptions(instanceId, bytes, maxBufferedReplyBytes, maxErrorBodyBytes);
    }
}
