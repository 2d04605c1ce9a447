package io.kimi.api;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which browser origins may open a WebSocket or send a request that changes something ({@link BrowserGuard}).
 * Clients that send no {@code Origin} (non-browser clients) are allowed; a browser page must come from this server itself (its bind host, or a loopback name when bound to
 * loopback, and its port), or from a configured {@code allowed_origins} entry ({@code "*"} allows any). This
 * also defeats DNS rebinding, where a foreign page reaches a loopback server under another host name.
 */
final class OriginPolicy {
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final String bindHost;
    private final boolean loopback;
    private final List<String> allowed;

    OriginPolicy(String bindHost, List<String> allowed) {
        this.bindHost = bindHost.toLowerCase(Locale.ROOT);
        this.loopback = isLoopback(bindHost);
        this.allowed = allowed.stream().map(o -> stripSlash(o.toLowerCase(Locale.ROOT))).toList();
    }

    boolean allows(String origin, int serverPort) {
        if (origin == null || allowed.contains("*")) {
            return true;
        }
        String o = stripSlash(origin.trim().toLowerCase(Locale.ROOT));
        if (allowed.contains(o)) {
            return true;
        }
        URI uri;
        try {
            uri = URI.create(o);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            return false;
        }
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        if (port != serverPort) {
            return false;
        }
        String host = uri.getHost();
        // A wildcard bind (0.0.0.0) has no single name of its own: list the page's origin in allowed_origins.
        return host.equals(bindHost) || (loopback && LOOPBACK_NAMES.contains(host));
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
