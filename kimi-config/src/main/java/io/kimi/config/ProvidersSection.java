package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads {@code [providers.<key>]} tables, in file order. */
final class ProvidersSection {
    static final long DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
    static final long DEFAULT_READ_TIMEOUT_MS = 120_000;
    static final long DEFAULT_TOTAL_TIMEOUT_MS = 600_000;
    static final int DEFAULT_MAX_RETRIES = 2;
    static final int DEFAULT_MAX_CONNECTIONS = 64;
    static final long MAX_TIMEOUT_MS = Duration.ofDays(1).toMillis();
    static final long MAX_REQUESTS_PER_MINUTE = 1_000_000_000L;
    static final long MAX_TOKENS_PER_MINUTE = 1_000_000_000_000L;

    static final List<String> KEYS = List.of("type", "base_url", "api_key", "connect_timeout_ms",
            "read_timeout_ms", "total_timeout_ms", "max_retries", "stream_usage", "max_connections", "headers",
            "requests_per_minute", "tokens_per_minute");

    /** RFC 9110 token characters. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final EnvExpander expander;

    ProvidersSection(EnvExpander expander) {
        this.expander = requireNonNull(expander, "expander");
    }

    Map<String, ProviderConfig> read(Table providers) {
        Map<String, ProviderConfig> result = new LinkedHashMap<>();
        for (Map.Entry<String, Table> entry : providers.tables().entrySet()) {
            result.put(entry.getKey(), readOne(entry.getKey(), entry.getValue()));
        }
        return result;
    }

    private ProviderConfig readOne(String key, Table p) {
        if (key.isBlank()) {
            throw p.error("a provider key must not be empty");
        }
        p.requireOnly(KEYS);
        ProviderType type = type(key, p);
        URI baseUrl = baseUrl(p);
        Secret apiKey = expander.secret(p, "api_key", p.secretString("api_key").orElse(null));
        Duration connect = timeout(p, "connect_timeout_ms", DEFAULT_CONNECT_TIMEOUT_MS);
        Duration read = timeout(p, "read_timeout_ms", DEFAULT_READ_TIMEOUT_MS);
        Duration total = timeout(p, "total_timeout_ms", DEFAULT_TOTAL_TIMEOUT_MS);
        int maxRetries = p.intOr("max_retries", DEFAULT_MAX_RETRIES, 0, 100);
        boolean streamUsage = p.bool("stream_usage").orElse(true);
        int maxConnections = p.intOr("max_connections", DEFAULT_MAX_CONNECTIONS, 1, 65_535);
        Map<String, String> headers = headers(p.table("headers"));
        RateLimit rateLimit = new RateLimit(
                p.integer("requests_per_minute", 0, MAX_REQUESTS_PER_MINUTE).orElse(0L).intValue(),
                p.integer("tokens_per_minute", 0, MAX_TOKENS_PER_MINUTE).orElse(0L));
        return new ProviderConfig(key, type, baseUrl, apiKey, connect, read, total, maxRetries, streamUsage,
                maxConnections, headers, rateLimit);
    }

    /** {@code type}; when absent, the key itself if it names a type (so {@code [providers.groq]} is enough). */
    private static ProviderType type(String key, Table p) {
        Optional<String> name = p.string("type");
        if (name.isEmpty()) {
            Optional<ProviderType> fromKey = parseType(key);
            if (fromKey.isPresent()) {
                return fromKey.get();
            }
            throw p.error("type", "missing (accepted: " + acceptedTypes() + ")");
        }
        return parseType(name.get()).orElseThrow(() -> p.error("type",
                "unknown provider type \"" + name.get() + "\" (accepted: " + acceptedTypes() + ")"));
    }

    private static Optional<ProviderType> parseType(String name) {
        try {
            return Optional.of(ProviderType.fromName(name));
        } catch (IllegalArgumentException e) {
            // Not a type name: the caller reports it with the file and key.
            return Optional.empty();
        }
    }

    static String acceptedTypes() {
        List<String> names = new ArrayList<>();
        for (ProviderType t : ProviderType.values()) {
            names.add(t.wireName());
            if (t == ProviderType.KIMI) {
                names.add("moonshot");
            }
        }
        return String.join(", ", names);
    }

    private URI baseUrl(Table p) {
        URI uri = HttpUrlKey.read(p, "base_url", expander,
                "missing (expected an absolute http or https URL, e.g. \"https://api.openai.com/v1\")",
                "the key in api_key = \"${ENV_VAR}\"");
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw p.error("base_url", "must not have a query or fragment (\"/chat/completions\" is appended to it)");
        }
        return uri;
    }

    private static Duration timeout(Table p, String key, long fallbackMs) {
        long ms = p.integer(key, 1, MAX_TIMEOUT_MS).orElse(fallbackMs);
        return Duration.ofMillis(ms);
    }

    private Map<String, String> headers(Optional<Table> table) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (table.isEmpty()) {
            return headers;
        }
        Table h = table.get();
        for (String name : h.keys()) {
            if (!HEADER_NAME.matcher(name).matches()) {
                throw h.error(name, "not a valid HTTP header name");
            }
            String raw = h.secretString(name).orElseThrow();
            String value = expander.expand(h, name, raw);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                throw h.error(name, "a header value must not contain line breaks or NUL");
            }
            headers.put(name, value);
        }
        return headers;
    }
}
