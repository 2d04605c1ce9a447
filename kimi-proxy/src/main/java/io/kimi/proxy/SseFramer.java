package io.kimi.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;

/**
 * Cuts an SSE byte stream into complete events (each ending with its blank line), holding back only an
 * incomplete tail. The bytes are regrouped, never changed: concatenating every event and the final remainder
 * gives back the input exactly. Line ends may be LF, CRLF or CR. Not thread-safe; one per exchange.
 */
final class SseFramer {
    private final ByteBufAllocator alloc;
    private ByteBuf pending;
    /** Offset in {@link #pending} (from its reader index) where scanning resumes. */
    private int scanned;
    private boolean atLineStart = true;
    private boolean lastWasCr;

    SseFramer(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /**
     * Adds {@code in} (ownership taken) and appends each now-complete event to {@code out} as a buffer the
     * caller must release.
     */
    void feed(ByteBuf in, List<ByteBuf> out) {
        if (pending == null || !pending.isReadable()) {
            if (pending != null) {
                pending.release();
            }
            pending = in;
            scanned = 0;
        } else {
            ByteBuf merged = alloc.buffer(pending.readableBytes() + in.readableBytes());
            merged.writeBytes(pending).writeBytes(in);
            pending.release();
            in.release();
            pending = merged;
        }
        int start = pending.readerIndex();
        int end = pending.writerIndex();
        int eventStart = start;
        for (int i = start + scanned; i < end; i++) {
            byte b = pending.getByte(i);
            if (b == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = b == '\r';
            if (b == '\r' || b == '\n') {
                if (atLineStart) {
                    int eventEnd = i + 1;
                    if (b == '\r' && eventEnd < end && pending.getByte(eventEnd) == '\n') {
                        eventEnd++;
                        lastWasCr = false;
                    }
                    out.add(pending.retainedSlice(eventStart, eventEnd - eventStart));
                    eventStart = eventEnd;
                    i = eventEnd - 1;
                } else {
                    atLineStart = true;
                }
            } else {
                atLineStart = false;
            }
        }
        pending.readerIndex(eventStart);
        scanned = end - eventStart;
    }

    /** The incomplete tail left at the end of the stream (possibly empty); ownership passes to the caller. */
    ByteBuf remainder() {
        ByteBuf rest = pending;
        pending = null;
        return rest != null ? rest : Unpooled.EMPTY_BUFFER;
    }

    void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}
