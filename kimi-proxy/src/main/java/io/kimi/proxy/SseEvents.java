package io.kimi.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.search.AbstractSearchProcessorFactory;
import io.netty.buffer.search.KmpSearchProcessorFactory;
import java.nio.charset.StandardCharsets;

/** Cheap byte-level looks at one SSE event, so that JSON is parsed only for the rare events that need it. */
final class SseEvents {
    private static final KmpSearchProcessorFactory USAGE_SEARCH = AbstractSearchProcessorFactory
            .newKmpSearchProcessorFactory("\"usage\"".getBytes(StandardCharsets.US_ASCII));

    private SseEvents() {
    }

    /**
     * Whether the event holds {@code "usage"} followed by an object (not {@code null}). One pass over the bytes
     * (Knuth-Morris-Pratt through {@link ByteBuf#forEachByte}), whatever the event's size.
     */
    static boolean mayHoldUsage(ByteBuf event) {
        int end = event.writerIndex();
        int from = event.readerIndex();
        while (from < end) {
            int keyEnd = event.forEachByte(from, end - from, USAGE_SEARCH.newSearchProcessor());
            if (keyEnd < 0) {
                return false;
            }
            int k = skipSpace(event, keyEnd + 1, end);
            if (k < end && event.getByte(k) == ':') {
                k = skipSpace(event, k + 1, end);
                if (k < end && event.getByte(k) == '{') {
                    return true;
                }
            }
            from = keyEnd + 1;
        }
        return false;
    }

    /** The first index in {@code [from, end)} that is not JSON white space, or {@code end}. */
    private static int skipSpace(ByteBuf event, int from, int end) {
        if (from >= end) {
            return end;
        }
        int k = event.forEachByte(from, end - from, SseEvents::isSpace);
        return k < 0 ? end : k;
    }

    /** The event's data: its {@code data:} lines' values joined by newlines, or {@code null} when none. */
    static String data(ByteBuf event) {
        return data(event.toString(StandardCharsets.UTF_8));
    }

    static String data(String event) {
        StringBuilder data = null;
        int pos = 0;
        int len = event.length();
        while (pos < len) {
            int lineEnd = pos;
            while (lineEnd < len && event.charAt(lineEnd) != '\n' && event.charAt(lineEnd) != '\r') {
                lineEnd++;
            }
            if (event.startsWith("data:", pos)) {
                int valueStart = pos + 5;
                if (valueStart < lineEnd && event.charAt(valueStart) == ' ') {
                    valueStart++;
                }
                if (data == null) {
                    data = new StringBuilder(lineEnd - valueStart);
                } else {
                    data.append('\n');
                }
                data.append(event, valueStart, lineEnd);
            }
            pos = lineEnd;
            if (pos < len && event.charAt(pos) == '\r') {
                pos++;
            }
            if (pos < len && event.charAt(pos) == '\n') {
                pos++;
            }
        }
        return data == null ? null : data.toString();
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
