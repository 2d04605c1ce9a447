package io.kimi.config;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * Counts the line of the last character read, so a TOML syntax error can name its line (night-config's
 * messages do not). night-config reads one character at a time, so the last character read is where the
 * parser stopped.
 */
final class LineTrackingReader extends FilterReader {
    private int line = 1;
    private boolean lastWasNewline;

    LineTrackingReader(Reader in) {
        super(in);
    }

    /** The 1-based line of the last character read. */
    int line() {
        return line;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) {
            advance((char) c);
        }
        return c;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        for (int i = 0; i < n; i++) {
            advance(buffer[offset + i]);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n && read() >= 0) {
            skipped++;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public void mark(int readAheadLimit) throws IOException {
        throw new IOException("mark not supported");
    }

    @Override
    public void reset() throws IOException {
        throw new IOException("reset not supported");
    }

    private void advance(char c) {
        if (lastWasNewline) {
            line++;
        }
        lastWasNewline = c == '\n';
    }
}
