package io.kimi.config;

import static java.util.Objects.requireNonNull;

import io.kimi.core.tokens.TokenEncoding;

/**
 * One model clients may ask for: {@code [models.<key>]}.
 *
 * @param key what clients send as {@code model}, e.g. {@code kimi-k2}
 * @param provider the provider key it routes to
 * @param upstreamModel the model id sent to the provider
 * @param contextWindow the model's context window in tokens
 * @param prices USD per million tokens
 * @param encoding the encoding our local estimate uses
 */
public record ModelConfig(
        String key,
        String provider,
        String upstreamModel,
        int contextWindow,
        Prices prices,
        TokenEncoding encoding) {

    public ModelConfig {
        requireNonNull(key, "key");
        requireNonNull(provider, "provider");
        requireNonNull(upstreamModel, "upstreamModel");
        requireNonNull(prices, "prices");
        requireNonNull(encoding, "encoding");
    }

    /**
     * USD per million tokens. {@code cachedInput} applies to prompt tokens the provider served from cache.
     */
    public record Prices(double input, double output, double cachedInput) {
        public static final Prices FREE = new Prices(0, 0, 0);

        /** The cost of one request's tokens. */
        public double cost(long promptTokens, long completionTokens, long cachedPromptTokens) {
            long cached = Math.min(cachedPromptTokens, promptTokens);
            return ((promptTokens - cached) * input + cached * cachedInput + completionTokens * output) / 1_000_000.0;
        }
    }
}
