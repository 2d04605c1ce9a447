package io.kimi.config;

import java.nio.file.Path;

/**
 * Values given on the command line (or by an embedding application). They win over environment variables,
 * the config file and the built-in defaults. Every component is nullable: {@code null} means "not given".
 *
 * @param configFile the config file ({@code --config}); it must exist
 * @param host the bind address ({@code --host})
 * @param port the port ({@code --port}, 0-65535)
 * @param dbPath the SQLite file ({@code --db})
 * @param convergenceUrl the convergence loop's WebSocket ({@code --convergence-url}; {@code off} disables)
 * @param mock run the built-in simulated loop ({@code --mock})
 */
public record ConfigOverrides(Path configFile, String host, Integer port, Path dbPath, String convergenceUrl,
        Boolean mock) {

    private static final ConfigOverrides NONE = new ConfigOverrides(null, null, null, null, null, null);

    /** The server values only. */
    public ConfigOverrides(Path configFile, String host, Integer port, Path dbPath) {
        this(configFile, host, port, dbPath, null, null);
    }

    /** Nothing given on the command line. */
    public static ConfigOverrides none() {
        return NONE;
    }
}
