package io.kimi.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Cheap byte-level looks at one SSE event, so that JSON is parsed only for the rare events that need it. */
final class SseEvents {
    private static final byte[] USAGE_KEY = "\"usage\"".getBytes(StandardCharsets.US_ASCII);

    private SseEvents() {
    }

    /** Whether the event holds {@code "usage"} followed by an object (not {@code null}). */
    static boolean mayHoldUsage(ByteBuf event) {
        int from = event.readerIndex();
        int end = event.writerIndex();
        outer:
        for (int i = from; i <= end - USAGE_KEY.length; i++) {
            for (int j = 0; j < USAGE_KEY.length; j++) {
                if (event.getByte(i + j) != USAGE_KEY[j]) {
                    continue outer;
                }
            }
            int k = i + USAGE_KEY.length;
            while (k < end && isSpace(event.getByte(k))) {
                k++;
            }
            if (k < end && event.getByte(k) == ':') {
                k++;
                while (k < end && isSpace(event.getByte(k))) {
                    k++;
                }
                if (k < end && event.getByte(k) == '{') {
                    return true;
                }
            }
        }
        return false;
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
