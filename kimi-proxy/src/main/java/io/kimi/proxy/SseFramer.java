package io.kimi.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ByteProcessor;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts an SSE byte stream into complete events (each ending with its blank line), holding back only an
 * incomplete tail. The bytes are regrouped, never changed: concatenating every event and the final remainder
 * gives back the input exactly. Line ends may be LF, CRLF or CR. Not thread-safe; one per exchange.
 *
 * <p>Linear in the stream's length: each byte is scanned once, and never copied. An event that lies in one input
 * buffer is a slice of it; one that spans several is a composite of the held-back buffers and a slice of the last
 * (no merging, so an event of many megabytes arriving in 8 KiB pieces costs what its bytes cost). An event
 * longer than {@code maxEventBytes} is refused: {@link #feed} returns {@code false} as soon as it is known, with
 * at most that many bytes (plus the buffer being fed) held.
 */
final class SseFramer {
    private final ByteBufAllocator alloc;
    private final long maxEventBytes;
    /** The incomplete event's bytes, in order (the first may have had its start moved); owned. */
    private final List<ByteBuf> held = new ArrayList<>();
    private long heldBytes;
    private boolean atLineStart = true;
    private boolean lastWasCr;
    /** Stops at the byte that ends an event: the line end of a blank line (not the LF of a CRLF). */
    private final ByteProcessor eventEnd = this::continuesEvent;

    /** A framer without a limit on an event's size (tests). */
    SseFramer(ByteBufAllocator alloc) {
        this(alloc, Long.MAX_VALUE);
    }

    SseFramer(ByteBufAllocator alloc, long maxEventBytes) {
        this.alloc = alloc;
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * Adds {@code in} (ownership taken) and appends each now-complete event to {@code out} as a buffer the
     * caller must release. Returns {@code false} when an event is longer than the limit: the events before it
     * are in {@code out}, nothing is held any more, and the framer must not be fed again.
     */
    boolean feed(ByteBuf in, List<ByteBuf> out) {
        int end = in.writerIndex();
        int eventStart = in.readerIndex();
        int pos = eventStart;
        while (pos < end) {
            int stop = in.forEachByte(pos, end - pos, eventEnd);
            if (stop < 0) {
                break;
            }
            int next = stop + 1;
            if (lastWasCr && next < end && in.getByte(next) == '\n') {
                next++;
                lastWasCr = false;
            }
            if (heldBytes + (next - eventStart) > maxEventBytes) {
                return refuse(in);
            }
            out.add(take(in, eventStart, next));
            eventStart = next;
            pos = next;
        }
        if (eventStart == end) {
            in.release();
            return true;
        }
        if (heldBytes + (end - eventStart) > maxEventBytes) {
            return refuse(in);
        }
        in.readerIndex(eventStart);
        held.add(in);
        heldBytes += end - eventStart;
        return true;
    }

    /** The incomplete tail left at the end of the stream (possibly empty); ownership passes to the caller. */
    ByteBuf remainder() {
        if (held.isEmpty()) {
            return alloc.buffer(0);
        }
        if (held.size() == 1) {
            ByteBuf only = held.remove(0);
            heldBytes = 0;
            return only;
        }
        return takeHeld(null);
    }

    void release() {
        for (ByteBuf buf : held) {
            buf.release();
        }
        held.clear();
        heldBytes = 0;
    }

    private boolean continuesEvent(byte b) {
        if (b == '\n' && lastWasCr) {
            lastWasCr = false;
            return true;
        }
        lastWasCr = b == '\r';
        if (b == '\r' || b == '\n') {
            if (atLineStart) {
                return false;
            }
            atLineStart = true;
        } else {
            atLineStart = false;
        }
        return true;
    }

    /** The event made of what is held and {@code in}'s bytes {@code [from, to)}; {@code in} stays the caller's. */
    private ByteBuf take(ByteBuf in, int from, int to) {
        ByteBuf last = in.retainedSlice(from, to - from);
        return held.isEmpty() ? last : takeHeld(last);
    }

    /** One buffer of everything held (then {@code last}, when not null); nothing is held afterwards. */
    private ByteBuf takeHeld(ByteBuf last) {
        CompositeByteBuf event = alloc.compositeBuffer(held.size() + 1);
        for (ByteBuf part : held) {
            event.addComponent(true, part);
        }
        held.clear();
        heldBytes = 0;
        if (last != null) {
            event.addComponent(true, last);
        }
        return event;
    }

    private boolean refuse(ByteBuf in) {
        in.release();
        release();
        return false;
    }
}
