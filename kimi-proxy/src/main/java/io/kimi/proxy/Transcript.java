package io.kimi.proxy;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/** A bounded copy of the reply bytes that passed, for counting off the event loop. */
final class Transcript {
    private final int limit;
    private byte[] bytes = new byte[0];
    private int size;
    private boolean truncated;

    Transcript(int limit) {
        this.limit = limit;
    }

    /** Copies the buffer's readable bytes, up to the limit unless {@code always}. Does not move indexes. */
    void append(ByteBuf buf, boolean always) {
        int n = buf.readableBytes();
        if (!always && size + n > limit) {
            truncated = true;
            n = Math.max(0, limit - size);
            if (n == 0) {
                return;
            }
        }
        if (size + n > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(size + n, Math.min(bytes.length * 2 + 256, Integer.MAX_VALUE - 8)));
        }
        buf.getBytes(buf.readerIndex(), bytes, size, n);
        size += n;
    }

    boolean truncated() {
        return truncated;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }
}
