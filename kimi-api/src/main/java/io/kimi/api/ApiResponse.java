package io.kimi.api;

import java.util.LinkedHashMap;
import java.util.Map;

/** A REST reply, built off the event loop and written on it. */
record ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    static final String JSON = "application/json; charset=utf-8";

    static ApiResponse json(int status, byte[] body) {
        return new ApiResponse(status, JSON, body, Map.of());
    }

    /**
     * This reply with one more header. A value with a control character (other than a tab) or a character beyond
     * Latin-1 is refused here, where the reply is built, rather than on the event loop where nothing could be
     * answered any more: encode such values first (as {@link ContentDisposition} does).
     */
    ApiResponse withHeader(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                throw new IllegalStateException(String.format("header %s: character U+%04X at index %d cannot be "
                        + "sent in a header value", name, (int) c, i));
            }
        }
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, contentType, body, Map.copyOf(h));
    }
}
