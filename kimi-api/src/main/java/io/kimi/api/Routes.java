package io.kimi.api;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Method + path templates ({@code /api/sessions/{id}}) to endpoints. Built once, then read-only. */
final class Routes {
    private record Entry(HttpMethod method, String[] segments, Endpoint endpoint) {
    }

    /** A matched route, or a path that exists with other methods. */
    record Match(Endpoint endpoint, Map<String, String> params, List<HttpMethod> allowed) {
    }

    private final List<Entry> entries = new ArrayList<>();

    Routes add(HttpMethod method, String template, Endpoint endpoint) {
        entries.add(new Entry(method, split(template), endpoint));
        return this;
    }

    /** The endpoint for the request; an empty endpoint with {@code allowed} methods means 405; empty means 404. */
    Optional<Match> match(HttpMethod method, String path) {
        String[] parts = split(path);
        List<HttpMethod> allowed = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, String> params = matchSegments(e.segments, parts);
            if (params == null) {
                continue;
            }
            if (e.method.equals(method)) {
                return Optional.of(new Match(e.endpoint, params, List.of()));
            }
            allowed.add(e.method);
        }
        return allowed.isEmpty() ? Optional.empty() : Optional.of(new Match(null, Map.of(), allowed));
    }

    private static Map<String, String> matchSegments(String[] template, String[] parts) {
        if (template.length != parts.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>(2);
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), parts[i]);
            } else if (!t.equals(parts[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }
}
