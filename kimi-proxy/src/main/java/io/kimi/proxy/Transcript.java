package io.kimi.proxy;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * What is kept of a reply for counting off the event loop: a bounded copy, separate from the bytes relayed (the
 * relay never waits on it, and releasing the relayed buffers never touches it). The one place that decides how
 * much of a reply accounting sees.
 *
 * <ul>
 *   <li><b>Head</b>: the reply's first bytes, at most {@code limit}. For a stream, whole events only: the first
 *       event that does not fit ends the head, so every event in it can be parsed.</li>
 *   <li><b>Tail</b>, once the head is full, at most {@value #TAIL_LIMIT} bytes: for a body, its last bytes (where
 *       OpenAI-style replies put {@code usage}); for a stream, the latest event past the head that may hold usage
 *       (providers report it in the last events).</li>
 * </ul>
 * The reply was longer than what is kept when {@link #truncated()}. Not thread-safe; one per exchange.
 */
final class Transcript {
    /** The most kept past the head. */
    static final int TAIL_LIMIT = 64 << 10;
    private static final byte[] EMPTY = new byte[0];

    private final int limit;
    private byte[] head = EMPTY;
    private int size;
    private byte[] tail = EMPTY;
    private boolean truncated;

    /** @param limit the most bytes kept in the head */
    Transcript(int limit) {
        this.limit = limit;
    }

    /** Keeps what it may of a whole non-streamed body. Does not move the buffer's indexes. */
    void body(ByteBuf body) {
        int n = body.readableBytes();
        int kept = Math.min(n, limit - size);
        copy(body, body.readerIndex(), kept);
        if (kept < n) {
            truncated = true;
            int tailLength = Math.min(n - kept, TAIL_LIMIT);
            tail = new byte[tailLength];
            body.getBytes(body.writerIndex() - tailLength, tail);
        }
    }

    /**
     * Keeps one complete SSE event while the head has room; past it, only an event that may hold usage, as the
     * tail (replacing an earlier one). Does not move the buffer's indexes.
     */
    void event(ByteBuf event, boolean mayHoldUsage) {
        int n = event.readableBytes();
        if (!truncated && n <= limit - size) {
            copy(event, event.readerIndex(), n);
            return;
        }
        truncated = true;
        if (mayHoldUsage && n <= TAIL_LIMIT) {
            tail = new byte[n];
            event.getBytes(event.readerIndex(), tail);
        }
    }

    /** The head, as kept. */
    byte[] head() {
        return size == head.length ? head : Arrays.copyOf(head, size);
    }

    /** What was kept past the head (empty when nothing was). */
    byte[] tail() {
        return tail;
    }

    /** Whether the reply had more bytes than the head and tail hold. */
    boolean truncated() {
        return truncated;
    }

    private void copy(ByteBuf from, int index, int n) {
        if (n <= 0) {
            return;
        }
        if (size + n > head.length) {
            long grown = Math.max((long) size + n, Math.min(2L * head.length + 256, limit));
            head = Arrays.copyOf(head, (int) grown);
        }
        from.getBytes(index, head, size, n);
        size += n;
    }
}
