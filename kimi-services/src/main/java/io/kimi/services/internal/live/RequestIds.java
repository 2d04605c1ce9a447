package io.kimi.services.internal.live;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * The optional {@code request_id} of a client's action: a string of 1 to {@value #MAX_LENGTH} printable ASCII
 * characters (space to {@code ~}), echoed in the reply to that action so a client can match replies that come
 * out of order. Anything else is refused with an error naming the field, before the action runs.
 */
final class RequestIds {
    static final int MAX_LENGTH = 128;

    private RequestIds() {
    }

    /** What is wrong with a present, non-null {@code request_id}, or {@code null} when it is usable. */
    static String problem(JsonNode id) {
        String expected = " (expected: a string of 1-" + MAX_LENGTH + " printable ASCII characters)";
        if (!id.isTextual()) {
            return "request_id: a " + id.getNodeType().name().toLowerCase(Locale.ROOT) + expected;
        }
        String text = id.asText();
        if (text.isEmpty() || text.length() > MAX_LENGTH) {
            return "request_id: " + text.length() + " characters" + expected;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "request_id: character " + i + " is U+" + String.format("%04X", (int) c) + expected;
            }
        }
        return null;
    }

    /**
     * {@code reply} with {@code "request_id":id} as its first member. Replies are JSON objects written by
     * {@link LiveProtocol}; the member is inserted into the text rather than by parsing a reply again (a
     * {@code list_sessions} reply may list a thousand sessions). {@code id} must have passed {@link #problem}.
     */
    static String echo(String reply, String id) {
        int open = reply.indexOf('{');
        if (open < 0 || !reply.substring(0, open).isBlank()) {
            throw new IllegalArgumentException("a reply that is not a JSON object: " + reply);
        }
        int next = open + 1;
        while (next < reply.length() && Character.isWhitespace(reply.charAt(next))) {
            next++;
        }
        boolean empty = next >= reply.length() || reply.charAt(next) == '}';
        return reply.substring(0, open + 1) + "\"request_id\":\""
                + new String(JsonStringEncoder.getInstance().quoteAsString(id)) + "\"" + (empty ? "" : ",")
                + reply.substring(open + 1);
    }
}
