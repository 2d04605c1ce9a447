package io.kimi.api;

import java.net.URI;

/** The URIs a server bound to a host and port is reached at. */
final class ServerUris {
    private ServerUris() {
    }

    /** {@code 0.0.0.0} or {@code ::}: every interface. */
    static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    /** e.g. {@code http://127.0.0.1:8766}, {@code http://[::1]:8766}. */
    static URI http(String host, int port) {
        return URI.create("http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
                + ":" + port);
    }
}
