package io.kimi.config;

import io.kimi.core.tokens.TokenEncoding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads {@code [models.<key>]} tables, in file order, checking each against the defined providers. */
final class ModelsSection {
    static final List<String> KEYS = List.of("provider", "model", "context_window", "input_price",
            "output_price", "cached_input_price", "encoding");

    Map<String, ModelConfig> read(Table models, Set<String> providerKeys) {
        Map<String, ModelConfig> result = new LinkedHashMap<>();
        for (Map.Entry<String, Table> entry : models.tables().entrySet()) {
            result.put(entry.getKey(), readOne(entry.getKey(), entry.getValue(), providerKeys));
        }
        return result;
    }

    private static ModelConfig readOne(String key, Table m, Set<String> providerKeys) {
        if (key.isBlank()) {
            throw m.error("a model key must not be empty");
        }
        m.requireOnly(KEYS);
        String provider = m.nonBlankString("provider").orElseThrow(() -> m.error("provider",
                "missing (expected the key of a [providers.<key>] table: " + list(providerKeys) + ")"));
        if (!providerKeys.contains(provider)) {
            throw m.error("provider", "no provider \"" + provider + "\" is defined (defined providers: "
                    + list(providerKeys) + ")");
        }
        String upstream = m.nonBlankString("model").orElse(key);
        long contextWindow = m.integer("context_window", 1, Integer.MAX_VALUE).orElseThrow(() -> m.error(
                "context_window", "missing (expected the model's context window in tokens, e.g. 131072)"));
        double input = m.number("input_price", 0).orElse(0.0);
        double output = m.number("output_price", 0).orElse(0.0);
        double cachedInput = m.number("cached_input_price", 0).orElse(input);
        TokenEncoding encoding = encoding(m);
        return new ModelConfig(key, provider, upstream, (int) contextWindow,
                new ModelConfig.Prices(input, output, cachedInput), encoding);
    }

    private static TokenEncoding encoding(Table m) {
        String name = m.string("encoding").orElse(TokenEncoding.CL100K_BASE.wireName());
        for (TokenEncoding e : TokenEncoding.values()) {
            if (e.wireName().equals(name)) {
                return e;
            }
        }
        StringBuilder accepted = new StringBuilder();
        for (TokenEncoding e : TokenEncoding.values()) {
            accepted.append(accepted.length() == 0 ? "" : ", ").append(e.wireName());
        }
        throw m.error("encoding", "unknown encoding \"" + name + "\" (accepted: " + accepted + ")");
    }

    private static String list(Set<String> keys) {
        return keys.isEmpty() ? "none" : String.join(", ", keys);
    }
}
