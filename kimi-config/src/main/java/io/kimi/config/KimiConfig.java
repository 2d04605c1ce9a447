package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration, read once at start. Immutable.
 *
 * @param source where it was read from (a file path, or "built-in defaults"), for messages
 * @param server {@code [server]}
 * @param providers {@code [providers.<key>]} by key, in file order
 * @param models {@code [models.<key>]} by key, in file order
 * @param thresholds {@code [thresholds]}
 * @param convergence {@code [convergence]}: the convergence loop's event stream
 */
public record KimiConfig(
        String source,
        ServerConfig server,
        Map<String, ProviderConfig> providers,
        Map<String, ModelConfig> models,
        Thresholds thresholds,
        ConvergenceConfig convergence) {

    /** A configuration without a convergence loop. */
    public KimiConfig(String source, ServerConfig server, Map<String, ProviderConfig> providers,
            Map<String, ModelConfig> models, Thresholds thresholds) {
        this(source, server, providers, models, thresholds, ConvergenceConfig.OFF);
    }

    public KimiConfig {
        requireNonNull(convergence, "convergence");
        requireNonNull(source, "source");
        requireNonNull(server, "server");
        requireNonNull(thresholds, "thresholds");
        requireNonNull(providers, "providers");
        requireNonNull(models, "models");
        providers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(providers));
        models = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
    }

    public Optional<ProviderConfig> provider(String key) {
        return Optional.ofNullable(providers.get(key));
    }

    public Optional<ModelConfig> model(String key) {
        return Optional.ofNullable(models.get(key));
    }

    /** This configuration with another {@code [server]} section (for CLI and embedding overrides). */
    public KimiConfig withServer(ServerConfig newServer) {
        return new KimiConfig(source, newServer, providers, models, thresholds, convergence);
    }

    /** This configuration with another {@code [convergence]} section. */
    public KimiConfig withConvergence(ConvergenceConfig newConvergence) {
        return new KimiConfig(source, server, providers, models, thresholds, newConvergence);
    }
}
