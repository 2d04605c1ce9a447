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
 */
public record ConfigOverrides(Path configFile, String host, Integer port, Path dbPath) {

    private static final ConfigOverrides NONE = new ConfigOverrides(null, null, null, null);

    /** Nothing given on the command line. */
    public static ConfigOverrides none() {
        return NONE;
    }
}
