package io.kimi.features.logs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a byte stream into UTF-8 lines. A line ends at {@code \n} (a {@code \r} before it is dropped); the
 * bytes after the last {@code \n} wait for the rest of their line. Lines longer than the limit are dropped
 * whole and counted (a log line that long is a dumped prompt, not a report). Invalid UTF-8 becomes U+FFFD.
 * Cutting on the {@code \n} byte is safe in UTF-8: it never occurs inside a multi-byte character.
 */
final class LineSplitter {

    private final int maxLineBytes;
    private byte[] pending = new byte[256];
    private int pendingLength;
    private boolean overlong;
    private boolean skipToNextLine;
    private long droppedLines;

    LineSplitter(int maxLineBytes) {
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes: " + maxLineBytes + " (expected: >= 1)");
        }
        this.maxLineBytes = maxLineBytes;
    }

    /** Passes each line completed by {@code bytes[offset, offset+length)} to {@code lines}. */
    void feed(byte[] bytes, int offset, int length, Consumer<String> lines) {
        int start = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n') {
                append(bytes, start, i - start);
                endLine(lines);
                start = i + 1;
            }
        }
        append(bytes, start, end - start);
    }

    /** Passes the pending partial line, if any, as a complete line (its file ended for good). */
    void finish(Consumer<String> lines) {
        if (pendingLength > 0 || overlong) {
            endLine(lines);
        }
        skipToNextLine = false;
    }

    /** Drops the pending partial line (its file was truncated). */
    void reset() {
        pendingLength = 0;
        overlong = false;
        skipToNextLine = false;
    }

    /** Drops everything up to the next line end: reading starts in the middle of a line. */
    void skipToNextLine() {
        reset();
        skipToNextLine = true;
    }

    /** Whether bytes of an unfinished line are waiting. */
    boolean hasPending() {
        return pendingLength > 0 || overlong;
    }

    /** How many lines were dropped for being too long. */
    long droppedLines() {
        return droppedLines;
    }

    private void append(byte[] bytes, int offset, int length) {
        if (length == 0 || overlong || skipToNextLine) {
            return;
        }
        if (pendingLength + length > maxLineBytes) {
            overlong = true;
            pendingLength = 0;
            return;
        }
        if (pendingLength + length > pending.length) {
            int grown = Math.max(pending.length * 2, pendingLength + length);
            pending = Arrays.copyOf(pending, Math.min(maxLineBytes, grown));
        }
        System.arraycopy(bytes, offset, pending, pendingLength, length);
        pendingLength += length;
    }

    private void endLine(Consumer<String> lines) {
        if (skipToNextLine) {
            skipToNextLine = false;
            pendingLength = 0;
            return;
        }
        if (overlong) {
            overlong = false;
            droppedLines++;
            pendingLength = 0;
            return;
        }
        int length = pendingLength;
        if (length > 0 && pending[length - 1] == '\r') {
            length--;
        }
        String line = new String(pending, 0, length, StandardCharsets.UTF_8);
        pendingLength = 0;
        if (pending.length > 64 * 1024) {
            pending = new byte[256]; // do not keep a huge buffer after one long line
        }
        lines.accept(line);
    }
}
