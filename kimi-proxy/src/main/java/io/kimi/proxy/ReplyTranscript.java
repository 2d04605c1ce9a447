package io.kimi.proxy;

import static java.util.Objects.requireNonNull;

/**
 * What was kept of one reply for counting its tokens off the event loop ({@link ReplyParser}), bounded by
 * {@link ProxyOptions#transcriptLimitBytes()} (the server's {@code max_accounted_reply_bytes}).
 *
 * @param head a stream's first events, whole, up to the limit; or a body's first bytes up to the limit
 * @param tail past the limit: a stream's last event that may hold usage (a whole event); a body's last bytes,
 *     where providers put usage (not a JSON document by itself); empty when the reply fitted
 * @param cut whether the body did not fit: {@code head} then ends inside the JSON, and {@code tail} starts
 *     inside it
 * @param uncountedBytes reply bytes whose text is not read (past the limit): their tokens are estimated from
 *     their size
 */
public record ReplyTranscript(byte[] head, byte[] tail, boolean cut, long uncountedBytes) {
    private static final byte[] NONE = new byte[0];

    /** Nothing passed. */
    public static final ReplyTranscript EMPTY = new ReplyTranscript(NONE, NONE, false, 0);

    public ReplyTranscript {
        requireNonNull(head, "head");
        requireNonNull(tail, "tail");
        if (uncountedBytes < 0) {
            throw new IllegalArgumentException("uncountedBytes: " + uncountedBytes + " (expected: >= 0)");
        }
    }

    /** A whole reply, kept entirely (tests, and replies under the limit). */
    public static ReplyTranscript whole(byte[] reply) {
        return new ReplyTranscript(reply, NONE, false, 0);
    }

    /** Bytes kept, head and tail. */
    public int keptBytes() {
        return head.length + tail.length;
    }
}
