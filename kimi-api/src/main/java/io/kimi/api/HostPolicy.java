package io.kimi.api;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which names a request's {@code Host} header may carry. A browser sends the name it looked up, so a page that
 * made its own name resolve to 127.0.0.1 (DNS rebinding) sends that foreign name; refusing it keeps such a page
 * from reading anything here. Allowed, with any port: loopback names ({@code localhost}, {@code *.localhost},
 * which browsers never ask DNS for) and loopback addresses (127.0.0.0/8, ::1); the bind host unless it is a
 * wildcard (0.0.0.0, ::); each {@code server.allowed_hosts} entry ({@code "*"}: any host). A request without
 * {@code Host} (HTTP/1.0 tools) is allowed: browsers always send one. Never asks DNS. Thread-safe.
 */
final class HostPolicy {
    private final boolean any;
    private final Set<String> allowed;

    /** @param allowedHosts lower case, IPv6 addresses without brackets (as {@code ServerConfig} keeps them) */
    HostPolicy(String bindHost, List<String> allowedHosts) {
        this.any = allowedHosts.contains("*");
        Set<String> names = new HashSet<>();
        allowedHosts.forEach(h -> names.add(canonical(h)));
        String bind = canonical(bindHost);
        if (!isWildcard(bind)) {
            names.add(bind);
        }
        this.allowed = Set.copyOf(names);
    }

    /** Whether a request with this {@code Host} header value ({@code null}: none) may be answered. */
    boolean allows(String hostHeader) {
        if (hostHeader == null || any) {
            return true;
        }
        String host = hostOf(hostHeader.trim());
        if (host == null) {
            return false;
        }
        String name = canonical(host);
        return isLoopback(name) || allowed.contains(name);
    }

    /** The host part of {@code host[:port]} or {@code [v6][:port]}; {@code null} when it is not of that form. */
    private static String hostOf(String value) {
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = value.substring(1, close);
            String rest = value.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                return null;
            }
            port = rest.isEmpty() ? "" : rest.substring(1);
        } else {
            int colon = value.lastIndexOf(':');
            host = colon < 0 ? value : value.substring(0, colon);
            port = colon < 0 ? "" : value.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                return null; // an IPv6 address must be in brackets
            }
        }
        if (host.isEmpty() || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return host;
    }

    /** Lower case, without a final "."; IP addresses in one canonical text form. */
    private static String canonical(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(h);
        if (ip == null) {
            return h;
        }
        try {
            return NetUtil.toAddressString(InetAddress.getByAddress(ip));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + ip.length + " bytes", e); // 4 or 16: cannot happen
        }
    }

    private static boolean isLoopback(String canonical) {
        if (canonical.equals("localhost") || canonical.endsWith(".localhost")) {
            return true;
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(canonical);
        try {
            return ip != null && InetAddress.getByAddress(ip).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + ip.length + " bytes", e);
        }
    }

    private static boolean isWildcard(String canonical) {
        return canonical.equals("0.0.0.0") || canonical.equals("::") || canonical.isEmpty();
    }
}
