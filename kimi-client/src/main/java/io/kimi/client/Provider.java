package io.kimi.client;

import java.util.List;

/**
 * A configured LLM provider ({@code GET /api/providers}). Never its key: only whether one is set.
 *
 * @param key the provider's key in the configuration, e.g. {@code kimi}
 * @param type e.g. {@code kimi}, {@code openai}, {@code openai-compatible}
 * @param baseUrl where requests go
 * @param hasApiKey whether its key variable is set
 * @param apiKeyEnv the variable holding its key, e.g. {@code KIMI_API_KEY}
 * @param streamUsage whether the proxy asks it for usage in streams
 * @param models the model keys routed to it
 */
public record Provider(String key, String type, String baseUrl, boolean hasApiKey, String apiKeyEnv,
        boolean streamUsage, List<String> models) {
    public Provider {
        models = models == null ? List.of() : List.copyOf(models);
    }
}
