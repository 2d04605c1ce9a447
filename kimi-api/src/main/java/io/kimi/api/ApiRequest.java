package io.kimi.api;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/** A REST request, detached from Netty's buffers so it can be handled on another thread. */
record ApiRequest(HttpMethod method, String path, Map<String, String> pathParams,
        Map<String, List<String>> query, HttpHeaders headers, byte[] body) {

    String pathParam(String name) {
        return pathParams.get(name);
    }

    /** A query parameter, or {@code null}. */
    String query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** An integer query parameter within bounds; absent gives the default, bad input an IllegalArgumentException. */
    int intQuery(String name, int defaultValue, int min, int max) {
        String raw = query(name);
        if (raw == null || raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + "-" + max + ")");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + raw + "' is not an integer");
        }
    }
}
