package io.kimi.api;

import static java.util.Objects.requireNonNull;

import io.kimi.config.ConfigException;
import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.ConvergenceConfig;
import io.kimi.config.KimiConfig;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Builds a {@link KimiServer}: {@code KimiServer.builder()}. Without {@link #config(KimiConfig)}, the configuration
 * is loaded as the launcher loads it: the config file ({@link #configFile(Path)}, else {@code KIMI_CONFIG}, else
 * {@code ./config.toml}, else the built-in defaults), then the environment ({@code DASHBOARD_HOST},
 * {@code DASHBOARD_PORT}, {@code DASHBOARD_DB_PATH}, {@code CONVERGENCE_WS_URL}, ...). Values set here win over
 * both, and over a given config.
 */
public final class KimiServerBuilder {
    private KimiConfig config;
    private Path configFile;
    private String host;
    private Integer port;
    private Path dbPath;
    private String convergenceUrl;
    private Clock clock = Clock.systemUTC();

    KimiServerBuilder() {
    }

    /** Uses this configuration (e.g. from {@link KimiConfig#builder()}) instead of loading one. */
    public KimiServerBuilder config(KimiConfig value) {
        this.config = requireNonNull(value, "config");
        return this;
    }

    /** Loads this config file (else {@code KIMI_CONFIG}, {@code ./config.toml}, or the built-in defaults). */
    public KimiServerBuilder configFile(Path value) {
        this.configFile = requireNonNull(value, "configFile");
        return this;
    }

    /** The bind address, e.g. {@code 127.0.0.1}. */
    public KimiServerBuilder host(String value) {
        this.host = requireNonNull(value, "host");
        return this;
    }

    /** 0-65535; 0 picks a free port. */
    public KimiServerBuilder port(int value) {
        if (value < 0 || value > 65535) {
            throw new IllegalArgumentException("port: " + value + " (expected: 0-65535)");
        }
        this.port = value;
        return this;
    }

    /** The SQLite file. */
    public KimiServerBuilder dbPath(Path value) {
        this.dbPath = requireNonNull(value, "dbPath");
        return this;
    }

    /** The convergence loop's WebSocket ({@code ws://} or {@code wss://}), or {@code "off"}. */
    public KimiServerBuilder convergenceUrl(String value) {
        this.convergenceUrl = requireNonNull(value, "convergenceUrl");
        return this;
    }

    public KimiServerBuilder clock(Clock value) {
        this.clock = requireNonNull(value, "clock");
        return this;
    }

    /**
     * The server, not yet started.
     *
     * @throws ConfigException when the loaded configuration or a value set here is invalid
     */
    public KimiServer build() {
        KimiConfig base = config != null ? config
                : new ConfigLoader(System.getenv()).load(new ConfigOverrides(configFile, host, port, dbPath,
                        convergenceUrl, null));
        if (config != null && convergenceUrl != null) {
            base = base.withConvergence(base.convergence().withUrl(
                    ConvergenceConfig.parseUrl(convergenceUrl, "KimiServer.builder()", "convergenceUrl")));
        }
        return new KimiServer(base.withServer(base.server().withBinding(host, port, dbPath)), clock);
    }
}
