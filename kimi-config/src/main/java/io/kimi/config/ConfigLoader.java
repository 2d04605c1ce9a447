package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

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
    private final Map<String, String> env;
    private final ConfigFileLocator locator;
    private final TomlReader toml = new TomlReader();
    private final ConfigReader reader;

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
        this.reader = new ConfigReader(this.env, this.env);
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
        Table root = file.isPresent() ? readFile(file.get()) : ConfigReader.readBuiltIn();
        return reader.read(root, file.isEmpty(), overrides);
    }

    private Table readFile(Path file) {
        String source = file.toString();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return toml.read(source, in);
        } catch (IOException e) {
            throw new ConfigException(source, "", "cannot be read: " + e, e);
        }
    }
}
