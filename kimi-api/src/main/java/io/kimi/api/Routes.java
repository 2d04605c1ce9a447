package io.kimi.api;

import static java.util.Objects.requireNonNull;

import io.kimi.api.ConsistentRead.Reads;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Method + path templates ({@code /api/sessions/{id}}) to endpoints. Built once, then read-only. A route declares
 * whether it reads recorded data ({@link Reads}); its endpoint is then decorated with the {@link ConsistentRead}
 * barrier, so no handler waits for accounting itself.
 */
final class Routes {
    private record Entry(HttpMethod method, String[] segments, Endpoint endpoint) {
    }

    /** A matched route, or a path that exists with other methods. */
    record Match(Endpoint endpoint, Map<String, String> params, List<HttpMethod> allowed) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final ConsistentRead consistentRead;

    Routes(ConsistentRead consistentRead) {
        this.consistentRead = requireNonNull(consistentRead, "consistentRead");
    }

    /** A route that reads no recorded data (or only writes). */
    Routes add(HttpMethod method, String template, Endpoint endpoint) {
        return add(method, template, Reads.ANY, endpoint);
    }

    /** A route whose handler runs once what {@code reads} asks for is done. */
    Routes add(HttpMethod method, String template, Reads reads, Endpoint endpoint) {
        entries.add(new Entry(method, split(template), consistentRead.around(reads, endpoint)));
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
