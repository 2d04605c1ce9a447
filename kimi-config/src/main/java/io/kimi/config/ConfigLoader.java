package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the configuration once, at start, into one immutable {@link KimiConfig}.
 *
 * <p>The file is the one given on the command line, else the one named by {@code KIMI_CONFIG}, else
 * {@code ./config.toml} when it exists, else the defaults built into the jar. Server values then take
 * environment variables ({@code DASHBOARD_HOST}, {@code DASHBOARD_PORT}, {@code DASHBOARD_DB_PATH},
 * {@code KIMI_AUTH_TOKEN}) and command-line values on top: command line &gt; environment &gt; file &gt;
 * built-in default; so do {@code CONVERGENCE_WS_URL}, {@code DASHBOARD_MOCK} and {@code MCP_WORKSPACE}. A file
 * with neither {@code [providers]} nor {@code [models]} keeps the built-in provider and model catalogue; a file
 * with either defines the whole catalogue. {@code [features.compaction] summary_model} must name a model of
 * that catalogue.
 *
 * <p>Secrets are written {@code "${ENV_VAR}"}: an unset variable leaves the {@link Secret} unresolved (it is
 * reported where it is used), never an error here. Every invalid value is a {@link ConfigException} naming
 * the file, the dotted key and the reason.
 *
 * <pre>{@code
 * KimiConfig config = new ConfigLoader(System.getenv()).load(ConfigOverrides.none());
 * }</pre>
 */
public final class ConfigLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

    /** The classpath resource holding the built-in defaults. */
    static final String BUILT_IN_RESOURCE = "/io/kimi/config/default-config.toml";
    /** The source name of the built-in defaults, in messages and {@link KimiConfig#source()}. */
    static final String BUILT_IN_SOURCE = "built-in defaults";

    static final List<String> TOP_LEVEL_KEYS = List.of("server", "thresholds", "providers", "models", "convergence",
            "features", "mcp", "logs");

    private final Map<String, String> env;
    private final ConfigFileLocator locator;
    private final TomlReader toml = new TomlReader();

    /**
     * @param env the environment to read variables from (production passes {@link System#getenv()}, tests a
     *     map); copied
     */
    public ConfigLoader(Map<String, String> env) {
        this(env, Path.of("config.toml"));
    }

    /** For tests: {@code workingDirectoryFile} replaces {@code ./config.toml}. */
    ConfigLoader(Map<String, String> env, Path workingDirectoryFile) {
        this.env = Map.copyOf(requireNonNull(env, "env"));
        this.locator = new ConfigFileLocator(this.env, workingDirectoryFile);
    }

    /**
     * Locates, reads and validates the configuration, then applies environment and command-line overrides.
     *
     * @param overrides command-line values ({@link ConfigOverrides#none()} when there are none)
     * @throws ConfigException when the file is missing, not valid TOML or holds an invalid value, or when an
     *     environment variable or command-line value is invalid
     */
    public KimiConfig load(ConfigOverrides overrides) {
        requireNonNull(overrides, "overrides");
        Optional<Path> file = locator.locate(overrides.configFile());
        Table root = file.isPresent() ? readFile(file.get()) : readBuiltIn();
        root.requireOnly(TOP_LEVEL_KEYS);

        EnvExpander expander = new EnvExpander(env);
        ServerConfig server = new ServerSection(expander).read(root.tableOrEmpty("server"));
        Thresholds thresholds = new ThresholdsSection().read(root.tableOrEmpty("thresholds"));

        Table catalogue = root;
        if (file.isPresent() && !root.has("providers") && !root.has("models")) {
            catalogue = readBuiltIn();
            catalogue.requireOnly(TOP_LEVEL_KEYS);
        }
        Map<String, ProviderConfig> providers = new ProvidersSection(expander)
                .read(catalogue.tableOrEmpty("providers"));
        Map<String, ModelConfig> models = new ModelsSection()
                .read(catalogue.tableOrEmpty("models"), providers.keySet());

        server = new ServerOverrides(env).apply(server, overrides);
        ConvergenceConfig convergence = new ConvergenceSection(env).read(root.tableOrEmpty("convergence"), overrides);
        FeaturesConfig features = new FeaturesSection().read(root.tableOrEmpty("features"), models.keySet());
        McpConfig mcp = new McpSection(env, expander).read(root.tableOrEmpty("mcp"));
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

    private Table readFile(Path file) {
        String source = file.toString();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return toml.read(source, reader);
        } catch (IOException e) {
            throw new ConfigException(source, "", "cannot be read: " + e, e);
        }
    }

    private Table readBuiltIn() {
        InputStream in = ConfigLoader.class.getResourceAsStream(BUILT_IN_RESOURCE);
        if (in == null) {
            throw new IllegalStateException(BUILT_IN_RESOURCE + " is missing from the classpath (broken jar?)");
        }
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return toml.read(BUILT_IN_SOURCE, reader);
        } catch (IOException e) {
            throw new ConfigException(BUILT_IN_SOURCE, "", "cannot be read: " + e, e);
        }
    }
}
