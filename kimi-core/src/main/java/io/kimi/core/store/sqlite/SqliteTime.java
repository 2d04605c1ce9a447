package io.kimi.core.store.sqlite;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Instants as stored text: ISO-8601 UTC with exactly nine fraction digits, e.g.
 * {@code 2024-05-01T12:00:00.500000000Z}. {@link Instant#toString()} drops zero fractions, which would make
 * text order differ from time order ({@code ...:00Z} sorts after {@code ...:00.5Z}); a fixed width keeps
 * {@code ORDER BY} on the text correct. {@link Instant#parse} reads it back exactly.
 */
final class SqliteTime {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private SqliteTime() {
    }

    static String format(Instant instant) {
        return instant == null ? null : FORMAT.format(instant);
    }

    static Instant parse(String text) {
        return text == null ? null : Instant.parse(text);
    }
}
