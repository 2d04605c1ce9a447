package io.kimi.api;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses what a web page of another site could make a visitor's browser send to this server: a foreign
 * {@code Host} (DNS rebinding, 403), a request that changes something (any method but GET, HEAD and OPTIONS) from
 * a foreign {@code Origin} (403), and a body that is not JSON (415: forms and {@code text/plain} are the bodies a
 * page may send anywhere without asking first). SDKs, curl and IDE agents send no {@code Origin} and JSON
 * bodies; the dashboard page sends its own origin. Stateless; thread-safe.
 */
final class BrowserGuard {
    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final HostPolicy hosts;
    private final OriginPolicy origins;

    BrowserGuard(HostPolicy hosts, OriginPolicy origins) {
        this.hosts = requireNonNull(hosts, "hosts");
        this.origins = requireNonNull(origins, "origins");
    }

    /** The refusal for this request, or {@code null} when it may go on. */
    ApiResponse check(HttpRequest request, int bodyBytes, int serverPort) {
        HttpHeaders headers = request.headers();
        List<String> host = headers.getAll(HttpHeaderNames.HOST);
        if (host.size() > 1) {
            return Errors.response(400, "bad_request", "The request has " + host.size() + " Host headers; send one.");
        }
        if (!hosts.allows(host.isEmpty() ? null : host.get(0))) {
            return Errors.response(403, "host_not_allowed", "This server does not answer for the host '"
                    + host.get(0) + "'. If clients reach it under that name, add the name to server.allowed_hosts "
                    + "(loopback names and the bind address are always allowed).");
        }
        if (SAFE.contains(request.method())) {
            return null;
        }
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (!origins.allows(origin, serverPort)) {
            return Errors.response(403, "origin_not_allowed", "Requests that change data are not accepted from "
                    + "the web page at origin '" + origin + "'; add it to server.allowed_origins to permit it.");
        }
        String type = headers.get(HttpHeaderNames.CONTENT_TYPE);
        if (bodyBytes > 0 && !isJson(type)) {
            return Errors.response(415, "unsupported_media_type", "Send the body as JSON, with 'Content-Type: "
                    + "application/json'" + (type == null ? " (the request had no Content-Type)."
                            : " (the request had '" + type + "')."));
        }
        return null;
    }

    /** {@code application/json} or {@code application/<anything>+json}, with or without parameters. */
    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
                .toLowerCase(Locale.ROOT);
        return media.equals("application/json") || (media.startsWith("application/") && media.endsWith("+json"));
    }
}
