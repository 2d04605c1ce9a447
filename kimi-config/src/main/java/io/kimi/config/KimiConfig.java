package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
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
 * @param features {@code [features.*]}: the request transformers
 * @param mcp {@code [mcp]}: the MCP gateway and its servers
 * @param logs {@code [logs]}: the IDE and CLI logs tailed
 */
public record KimiConfig(
        String source,
        ServerConfig server,
        Map<String, ProviderConfig> providers,
        Map<String, ModelConfig> models,
        Thresholds thresholds,
        ConvergenceConfig convergence,
        FeaturesConfig features,
        McpConfig mcp,
        LogsConfig logs) {

    /** A configuration without a convergence loop, with the default features, MCP and log settings. */
    public KimiConfig(String source, ServerConfig server, Map<String, ProviderConfig> providers,
            Map<String, ModelConfig> models, Thresholds thresholds) {
        this(source, server, providers, models, thresholds, ConvergenceConfig.OFF);
    }

    /** A configuration with the default features, MCP and log settings. */
    public KimiConfig(String source, ServerConfig server, Map<String, ProviderConfig> providers,
            Map<String, ModelConfig> models, Thresholds thresholds, ConvergenceConfig convergence) {
        this(source, server, providers, models, thresholds, convergence, FeaturesConfig.DEFAULT, McpConfig.DEFAULT,
                LogsConfig.DEFAULT);
    }

    public KimiConfig {
        requireNonNull(convergence, "convergence");
        requireNonNull(features, "features");
        requireNonNull(mcp, "mcp");
        requireNonNull(logs, "logs");
        requireNonNull(source, "source");
        requireNonNull(server, "server");
        requireNonNull(thresholds, "thresholds");
        requireNonNull(providers, "providers");
        requireNonNull(models, "models");
        providers = Collections.unmodifiableMap(new LinkedHashMap<>(providers));
        models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
    }

    /** A configuration in code, read and checked as a config file holding the same keys is. */
    public static KimiConfigBuilder builder() {
        return new KimiConfigBuilder();
    }

    public Optional<ProviderConfig> provider(String key) {
        return Optional.ofNullable(providers.get(key));
    }

    public Optional<ModelConfig> model(String key) {
        return Optional.ofNullable(models.get(key));
    }

    /** This configuration with another {@code [server]} section (for CLI and embedding overrides). */
    public KimiConfig withServer(ServerConfig newServer) {
        return new KimiConfig(source, newServer, providers, models, thresholds, convergence, features, mcp, logs);
    }

    /** This configuration with another {@code [convergence]} section. */
    public KimiConfig withConvergence(ConvergenceConfig newConvergence) {
        return new KimiConfig(source, server, providers, models, thresholds, newConvergence, features, mcp, logs);
    }

    /** This configuration with other {@code [features.*]} sections. */
    public KimiConfig withFeatures(FeaturesConfig newFeatures) {
        return new KimiConfig(source, server, providers, models, thresholds, convergence, newFeatures, mcp, logs);
    }

    /** This configuration with another {@code [mcp]} section. */
    public KimiConfig withMcp(McpConfig newMcp) {
        return new KimiConfig(source, server, providers, models, thresholds, convergence, features, newMcp, logs);
    }

    /** This configuration with another {@code [logs]} section. */
    public KimiConfig withLogs(LogsConfig newLogs) {
        return new KimiConfig(source, server, providers, models, thresholds, convergence, features, mcp, newLogs);
    }
}
