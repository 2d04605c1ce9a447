package io.kimi.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Test helper: writes TOML into a directory and loads it with a given environment. */
final class Loading {
    private final Path dir;

    Loading(Path dir) {
        this.dir = dir;
    }

    Path write(String name, String toml) {
        Path file = dir.resolve(name);
        try {
            Files.writeString(file, toml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A loader whose ./config.toml is a file that does not exist in the temp dir. */
    ConfigLoader loader(Map<String, String> env) {
        return new ConfigLoader(env, dir.resolve("no-such-working-dir-config.toml"));
    }

    KimiConfig load(String toml) {
        return load(toml, Map.of());
    }

    KimiConfig load(String toml, Map<String, String> env) {
        Path file = write("config.toml", toml);
        return loader(env).load(new ConfigOverrides(file, null, null, null));
    }

    /** The server settings of a file holding {@code serverToml} as its {@code [server]} table. */
    ServerConfig server(String serverToml) {
        return load("[server]\n" + serverToml + "\n" + LOCAL_CATALOGUE).server();
    }

    /** The minimal valid catalogue, to append to a test's [server] or [thresholds]. */
    static final String LOCAL_CATALOGUE = """
            [providers.local]
            type = "openai-compatible"
            base_url = "http://127.0.0.1:8000/v1"

            [models.m]
            provider = "local"
            context_window = 1000
            """;

    /** The {@code [server]} section of the built-in defaults (no file, no environment). */
    ServerConfig builtInServer() {
        return loader(Map.of()).load(ConfigOverrides.none()).server();
    }

    /** The ConfigException a {@code [server]} section made of {@code serverToml} is refused with. */
    ConfigException serverFailure(String serverToml) {
        return Failures.configException(() -> server(serverToml));
    }
}
