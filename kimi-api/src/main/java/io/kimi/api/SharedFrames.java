package io.kimi.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Live pushes encoded once as a WebSocket text frame for all clients: the fan-out hands every client the same
 * payload array in turn, so the last one encoded is kept and each client gets a retained duplicate of it (its
 * own indexes, the same memory), which its channel writes as is and releases once sent. A server's frames are
 * not masked and no extension is negotiated, so the bytes are the same for every client. Thread-safe; one per
 * server.
 */
final class SharedFrames implements AutoCloseable {
    private static final int TEXT_FINAL = 0x81;

    private final ByteBufAllocator alloc;
    private byte[] lastPayload;
    private ByteBuf lastFrame;
    private boolean closed;

    SharedFrames(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** The text frame of {@code utf8Json}, for the caller to write or release. */
    synchronized ByteBuf frameOf(byte[] utf8Json) {
        if (utf8Json != lastPayload || lastFrame == null) {
            ByteBuf frame = encode(alloc, utf8Json);
            if (closed) {
                return frame;
            }
            if (lastFrame != null) {
                lastFrame.release();
            }
            lastPayload = utf8Json;
            lastFrame = frame;
        }
        return lastFrame.retainedDuplicate();
    }

    /** An unmasked, final text frame (RFC 6455, 5.2) holding {@code payload}, in a direct buffer. */
    static ByteBuf encode(ByteBufAllocator alloc, byte[] payload) {
        int n = payload.length;
        int header = n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
        ByteBuf frame = alloc.directBuffer(header + n);
        frame.writeByte(TEXT_FINAL);
        if (n < 126) {
            frame.writeByte(n);
        } else if (n <= 0xFFFF) {
            frame.writeByte(126).writeShort(n);
        } else {
            frame.writeByte(127).writeLong(n);
        }
        return frame.writeBytes(payload);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (lastFrame != null) {
            lastFrame.release();
            lastFrame = null;
            lastPayload = null;
        }
    }
}
