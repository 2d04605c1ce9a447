package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a parsed configuration tree (a TOML file's, or one {@link KimiConfigBuilder} assembled) into one validated
 * {@link KimiConfig}: the single place every section is read and checked, so a file and a builder give the same
 * configuration and the same errors for the same values.
 */
final class ConfigReader {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReader.class);

    /** The classpath resource holding the built-in defaults. */
    static final String BUILT_IN_RESOURCE = "/io/kimi/config/default-config.toml";
    /** The source name of the built-in defaults, in messages and {@link KimiConfig#source()}. */
    static final String BUILT_IN_SOURCE = "built-in defaults";

    static final List<String> TOP_LEVEL_KEYS = List.of("server", "thresholds", "providers", "models", "convergence",
            "features", "mcp", "logs");

    private final EnvExpander expander;
    private final Map<String, String> overridingEnv;

    /**
     * @param secretsEnv where {@code ${VAR}} references are resolved
     * @param overridingEnv where {@code DASHBOARD_*}, {@code CONVERGENCE_WS_URL} and {@code MCP_WORKSPACE} are read
     *     (empty: none apply)
     */
    ConfigReader(Map<String, String> secretsEnv, Map<String, String> overridingEnv) {
        this.expander = new EnvExpander(requireNonNull(secretsEnv, "secretsEnv"));
        this.overridingEnv = requireNonNull(overridingEnv, "overridingEnv");
    }

    /**
     * @param root the tree's root table
     * @param builtIn whether {@code root} is the built-in defaults themselves (else a tree with neither
     *     {@code [providers]} nor {@code [models]} takes the built-in catalogue)
     */
    KimiConfig read(Table root, boolean builtIn, ConfigOverrides overrides) {
        root.requireOnly(TOP_LEVEL_KEYS);
        ServerConfig server = new ServerSection(expander).read(root.tableOrEmpty("server"));
        Thresholds thresholds = new ThresholdsSection().read(root.tableOrEmpty("thresholds"));

        Table catalogue = root;
        if (!builtIn && !root.has("providers") && !root.has("models")) {
            catalogue = readBuiltIn();
            catalogue.requireOnly(TOP_LEVEL_KEYS);
        }
        Map<String, ProviderConfig> providers = new ProvidersSection(expander)
                .read(catalogue.tableOrEmpty("providers"));
        Map<String, ModelConfig> models = new ModelsSection()
                .read(catalogue.tableOrEmpty("models"), providers.keySet());

        server = new ServerOverrides(overridingEnv).apply(server, overrides);
        ConvergenceConfig convergence = new ConvergenceSection(overridingEnv)
                .read(root.tableOrEmpty("convergence"), overrides);
        FeaturesConfig features = new FeaturesSection().read(root.tableOrEmpty("features"), models.keySet());
        McpConfig mcp = new McpSection(overridingEnv, expander).read(root.tableOrEmpty("mcp"));
        LogsConfig logs = new LogsSection(expander).read(root.tableOrEmpty("logs"));
        KimiConfig config = new KimiConfig(root.source(), server, providers, models, thresholds, convergence,
                features, mcp, logs);
        LOG.info("Configuration read from {}{}: {} providers, {} models", root.source(),
                catalogue == root ? "" : " (providers and models: " + BUILT_IN_SOURCE + ")",
                providers.size(), models.size());
        if (models.isEmpty()) {
            LOG.warn("{}: no [models.<key>] is configured, so every chat completion will be refused",
                    root.source());
        }
        return config;
    }

    /** The built-in defaults, parsed. */
    static Table readBuiltIn() {
        InputStream in = ConfigReader.class.getResourceAsStream(BUILT_IN_RESOURCE);
        if (in == null) {
            throw new IllegalStateException(BUILT_IN_RESOURCE + " is missing from the classpath (broken jar?)");
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return new TomlReader().read(BUILT_IN_SOURCE, reader);
        } catch (IOException e) {
            throw new ConfigException(BUILT_IN_SOURCE, "", "cannot be read: " + e, e);
        }
    }
}
