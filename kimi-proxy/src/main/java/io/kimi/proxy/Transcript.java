package io.kimi.proxy;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * A bounded copy of the reply bytes that passed, for counting off the event loop: the first {@code limit} bytes
 * (whole events for a stream), and past them only how many bytes there were, plus what the provider's usage
 * needs: a stream's last event that may hold usage, or a body's last {@value #BODY_TAIL_BYTES} bytes. The client
 * gets every byte whatever is kept here. At most {@code limit + }{@value #BODY_TAIL_BYTES} bytes per exchange.
 */
final class Transcript {
    /** A body's last bytes kept past the limit: usage comes last in OpenAI-style replies. */
    static final int BODY_TAIL_BYTES = 16 * 1024;
    private static final byte[] NONE = new byte[0];

    private final int limit;
    private byte[] bytes = NONE;
    private int size;
    private byte[] tail = NONE;
    private boolean full;
    private boolean cut;
    private long uncounted;

    Transcript(int limit) {
        this.limit = limit;
    }

    /**
     * A stream event (read, indexes not moved): kept whole while the events kept so far and it fit under the
     * limit. Past it, an event that may hold usage (at most {@value #BODY_TAIL_BYTES} bytes) replaces the last
     * one kept that way; every other byte is only counted.
     */
    void appendEvent(ByteBuf event, boolean mayHoldUsage) {
        int n = event.readableBytes();
        if (!full && size + n <= limit) {
            grow(n);
            event.getBytes(event.readerIndex(), bytes, size, n);
            size += n;
            return;
        }
        full = true;
        if (mayHoldUsage && n <= BODY_TAIL_BYTES) {
            uncounted += tail.length;
            tail = new byte[n];
            event.getBytes(event.readerIndex(), tail);
        } else {
            uncounted += n;
        }
    }

    /** The whole body of a reply that is not a stream (read, indexes not moved): its head and, past it, its tail. */
    void appendBody(ByteBuf body) {
        int n = body.readableBytes();
        int kept = Math.min(n, limit);
        grow(kept);
        body.getBytes(body.readerIndex(), bytes, size, kept);
        size += kept;
        if (n > kept) {
            cut = true;
            tail = new byte[Math.min(n - kept, BODY_TAIL_BYTES)];
            body.getBytes(body.readerIndex() + n - tail.length, tail);
            uncounted += n - kept;
        }
    }

    ReplyTranscript result() {
        return new ReplyTranscript(size == bytes.length ? bytes : Arrays.copyOf(bytes, size), tail, cut, uncounted);
    }

    private void grow(int n) {
        if (size + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(size + n, bytes.length * 2L + 256)));
        }
    }
}
