package io.kimi.core.store.sqlite;

import io.kimi.core.PendingRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * One line of the {@link IntentJournal}: a {@link PendingRequest} as tab-separated text ending with a CRC-32 of
 * what precedes it and a newline, e.g. {@code 1 TAB r-1 TAB s-1 TAB 1714564800 TAB 500 TAB moonshot TAB kimi-k2
 * TAB kimi-k2-0905 TAB 1 TAB 120 TAB proxy TAB 3f2a09c1 LF}. The leading {@code 1} is the format's version;
 * the arrival is epoch seconds and nanoseconds. A backslash, tab, line feed or carriage return inside a field
 * is escaped ({@code \\ \t \n \r}), so a line never holds a stray separator. No Jackson, no tree: a few hundred
 * bytes built with one {@link StringBuilder}.
 *
 * <p>{@link #decode} returns empty for anything that is not a whole, intact line (a torn tail a crash left
 * mid-write, bytes from a disk fault): the caller counts it and goes on.
 */
final class IntentLine {
    static final char VERSION = '1';
    private static final int FIELDS = 12;

    private IntentLine() {
    }

    /** The line, newline included, in UTF-8. */
    static byte[] encode(PendingRequest p) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(VERSION).append('\t');
        field(sb, p.requestId());
        field(sb, p.sessionId());
        sb.append(p.timestamp().getEpochSecond()).append('\t').append(p.timestamp().getNano()).append('\t');
        field(sb, p.provider());
        field(sb, p.model());
        field(sb, p.upstreamModel());
        sb.append(p.stream() ? '1' : '0').append('\t').append(p.estimatedPromptTokens()).append('\t');
        field(sb, p.source());
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(body, 0, body.length);
        byte[] line = new byte[body.length + 9];
        System.arraycopy(body, 0, line, 0, body.length);
        writeHex(line, body.length, (int) crc.getValue());
        line[line.length - 1] = '\n';
        return line;
    }

    /**
     * The request of one line (without its newline), or empty when it is not an intact line of this format.
     *
     * @param bytes a segment's bytes
     * @param from where the line starts
     * @param to where its newline is (exclusive end)
     */
    static Optional<PendingRequest> decode(byte[] bytes, int from, int to) {
        int length = to - from;
        if (length < 10 || bytes[from] != VERSION || bytes[to - 9] != '\t') {
            return Optional.empty();
        }
        int expected;
        try {
            expected = Integer.parseUnsignedInt(new String(bytes, to - 8, 8, StandardCharsets.US_ASCII), 16);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, from, length - 8);
        if ((int) crc.getValue() != expected) {
            return Optional.empty();
        }
        List<String> fields = split(new String(bytes, from, length - 8, StandardCharsets.UTF_8));
        if (fields == null || fields.size() != FIELDS - 1) {
            return Optional.empty();
        }
        try {
            Instant arrival = Instant.ofEpochSecond(Long.parseLong(fields.get(3)), Long.parseLong(fields.get(4)));
            return Optional.of(new PendingRequest(fields.get(1), fields.get(2), arrival, fields.get(5),
                    fields.get(6), fields.get(7), "1".equals(fields.get(8)), Integer.parseInt(fields.get(9)),
                    fields.get(10)));
        } catch (RuntimeException e) {
            // A line with a valid checksum but fields this version cannot read: as unreadable as a torn one.
            return Optional.empty();
        }
    }

    private static void field(StringBuilder sb, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        sb.append('\t');
    }

    /** The unescaped fields, or null on a bad escape. */
    private static List<String> split(String body) {
        List<String> fields = new ArrayList<>(FIELDS);
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\t') {
                fields.add(current.toString());
                current.setLength(0);
            } else if (c == '\\') {
                if (++i == body.length()) {
                    return null;
                }
                switch (body.charAt(i)) {
                    case '\\' -> current.append('\\');
                    case 't' -> current.append('\t');
                    case 'n' -> current.append('\n');
                    case 'r' -> current.append('\r');
                    default -> {
                        return null;
                    }
                }
            } else {
                current.append(c);
            }
        }
        // The body ends with the tab after the last field, so nothing is left in current.
        return current.length() == 0 ? fields : null;
    }

    private static void writeHex(byte[] into, int at, int value) {
        for (int i = 7; i >= 0; i--) {
            into[at + i] = (byte) Character.forDigit(value & 0xF, 16);
            value >>>= 4;
        }
    }
}
