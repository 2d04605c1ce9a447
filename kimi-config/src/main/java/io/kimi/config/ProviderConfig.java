package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;

/**
 * One upstream provider: {@code [providers.<key>]}.
 *
 * @param key the table key, e.g. {@code kimi}
 * @param type the provider kind
 * @param baseUrl e.g. {@code https://api.moonshot.ai/v1}; requests go to {@code baseUrl + /chat/completions}
 * @param apiKey sent as {@code Authorization: Bearer}
 * @param connectTimeout TCP + TLS connect budget
 * @param readTimeout the longest silence between two bytes of the reply
 * @param totalTimeout the whole exchange's budget (long: generations can take minutes)
 * @param maxRetries retries when the connection fails before the first byte of the reply
 * @param streamUsage whether the provider accepts {@code stream_options.include_usage}
 * @param maxConnections pooled connections per event loop
 * @param headers extra headers sent upstream (e.g. OpenRouter's {@code HTTP-Referer})
 * @param rateLimit requests and tokens per minute this proxy lets through to the provider
 */
public record ProviderConfig(
        String key,
        ProviderType type,
        URI baseUrl,
        Secret apiKey,
        Duration connectTimeout,
        Duration readTimeout,
        Duration totalTimeout,
        int maxRetries,
        boolean streamUsage,
        int maxConnections,
        Map<String, String> headers,
        RateLimit rateLimit) {

    public ProviderConfig {
        requireNonNull(key, "key");
        requireNonNull(type, "type");
        requireNonNull(baseUrl, "baseUrl");
        requireNonNull(apiKey, "apiKey");
        requireNonNull(connectTimeout, "connectTimeout");
        requireNonNull(readTimeout, "readTimeout");
        requireNonNull(totalTimeout, "totalTimeout");
        headers = Map.copyOf(headers);
        requireNonNull(rateLimit, "rateLimit");
    }

    /**
     * Shows every field except header values (a header may carry a credential); the API key shows as its
     * variable name only (see {@link Secret#toString()}).
     */
    @Override
    public String toString() {
        return "ProviderConfig[key=" + key + ", type=" + type.wireName() + ", baseUrl=" + baseUrl
                + ", apiKey=" + apiKey + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
                + ", totalTimeout=" + totalTimeout + ", maxRetries=" + maxRetries + ", streamUsage=" + streamUsage
                + ", maxConnections=" + maxConnections + ", headers=" + new TreeSet<>(headers.keySet())
                + ", rateLimit=" + rateLimit + "]";
    }

    /** The provider's chat completions URL. */
    public URI chatCompletionsUri() {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/chat/completions");
    }
}
