package io.kimi.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Which headers cross the proxy, in each direction. */
public final class HeaderPolicy {
    /** Marks requests we send upstream; a request arriving with our own instance id has looped back. */
    public static final AsciiString HOP_HEADER = AsciiString.cached("x-kimi-proxy-instance");
    /** Names a client's session explicitly. Consumed by us, never sent upstream. */
    public static final AsciiString SESSION_HEADER = AsciiString.cached("x-session-id");
    public static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");

    /** Hop-by-hop headers, and the ones we set ourselves or must never pass on (credentials, encodings). */
    private static final Set<String> NOT_FORWARDED_UP = Set.of(
            "host", "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
            "te", "trailer", "transfer-encoding", "upgrade", "content-length", "content-type", "expect",
            "authorization", "cookie", "accept-encoding", "x-session-id", "x-kimi-proxy-instance",
            "api-key", "x-api-key", "http2-settings");

    private static final Set<String> NOT_FORWARDED_DOWN = Set.of(
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "content-length", "set-cookie", "alt-svc");

    private HeaderPolicy() {
    }

    /** Copies the client's headers that may go upstream into {@code out}. */
    static void copyClientHeaders(HttpHeaders client, HttpHeaders out) {
        copy(client, out, NOT_FORWARDED_UP);
    }

    /**
     * Copies the provider's response headers that may go to the client into {@code out}, except those that reveal
     * a configured secret (e.g. an echo of the {@code Authorization} we sent); returns how many were held back.
     */
    static int copyResponseHeaders(HttpHeaders upstream, HttpHeaders out, SecretScrubber secrets) {
        copy(upstream, out, NOT_FORWARDED_DOWN);
        return secrets.dropRevealing(out);
    }

    /** Copies all but the excluded headers and those the message's {@code Connection} header names (RFC 9110). */
    private static void copy(HttpHeaders from, HttpHeaders out, Set<String> excluded) {
        Set<String> hopByHop = connectionOptions(from);
        for (Map.Entry<String, String> h : from) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!excluded.contains(name) && !hopByHop.contains(name)) {
                out.add(h.getKey(), h.getValue());
            }
        }
    }

    private static Set<String> connectionOptions(HttpHeaders headers) {
        List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
        if (values.isEmpty()) {
            return Set.of();
        }
        Set<String> names = new HashSet<>();
        for (String value : values) {
            for (String token : value.split(",")) {
                String t = token.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    names.add(t);
                }
            }
        }
        return names;
    }

    static boolean isEventStream(HttpHeaders headers) {
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
    }
}
