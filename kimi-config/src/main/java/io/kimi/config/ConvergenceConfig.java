package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code [convergence]}: where the convergence loop's event stream is.
 *
 * @param url the loop's WebSocket ({@code ws://} or {@code wss://}), or {@code null} when the bridge is off
 * @param mock run a built-in simulated loop instead (for demos and trying the dashboard out)
 * @param reconnectMax the longest wait between two reconnection attempts (backoff doubles up to it)
 * @param mockInterval the time between two steps of the simulated loop
 * @param mockSeed the simulated loop's seed, for a reproducible run, or {@code null} for a random one
 * @param livenessTimeout how long a connection to the loop may stay silent (no message, no pong to the bridge's
 *     pings) before the bridge takes it for dead, closes it and reconnects
 */
public record ConvergenceConfig(URI url, boolean mock, Duration reconnectMax, Duration mockInterval, Long mockSeed,
        Duration livenessTimeout) {
    public static final URI DEFAULT_URL = URI.create("ws://localhost:8765");
    public static final Duration DEFAULT_LIVENESS_TIMEOUT = Duration.ofSeconds(30);
    public static final ConvergenceConfig DEFAULT = new ConvergenceConfig(DEFAULT_URL, false, Duration.ofSeconds(30),
            Duration.ofSeconds(1), null, DEFAULT_LIVENESS_TIMEOUT);
    /** No bridge, no simulation. */
    public static final ConvergenceConfig OFF = new ConvergenceConfig(null, false, Duration.ofSeconds(30),
            Duration.ofSeconds(1), null, DEFAULT_LIVENESS_TIMEOUT);

    public ConvergenceConfig {
        requireNonNull(reconnectMax, "reconnectMax");
        requireNonNull(mockInterval, "mockInterval");
        requireNonNull(livenessTimeout, "livenessTimeout");
    }

    /**
     * Reads a convergence URL as every source of it does (file, environment, command line, embedder): {@code ""},
     * {@code off} or {@code none} is no bridge ({@code null}), else a {@code ws://} or {@code wss://} URL with a
     * host.
     *
     * @param source where the value came from, for the error (a file, "environment", "command line", ...)
     * @param key the key or option that held it, for the error
     * @throws ConfigException when it is neither
     */
    public static URI parseUrl(String raw, String source, String key) {
        String value = raw.trim();
        if (value.isEmpty() || value.equalsIgnoreCase("off") || value.equalsIgnoreCase("none")) {
            return null;
        }
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source, key, "not a valid URL: \"" + value + "\"", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("ws") || scheme.equals("wss")) || uri.getHost() == null) {
            throw new ConfigException(source, key, "expected a ws:// or wss:// URL with a host (or \"off\"), got \""
                    + value + "\"");
        }
        return uri;
    }

    public Optional<URI> bridgeUrl() {
        return Optional.ofNullable(url);
    }

    public ConvergenceConfig withUrl(URI newUrl) {
        return new ConvergenceConfig(newUrl, mock, reconnectMax, mockInterval, mockSeed, livenessTimeout);
    }

    public ConvergenceConfig withMock(boolean newMock) {
        return new ConvergenceConfig(url, newMock, reconnectMax, mockInterval, mockSeed, livenessTimeout);
    }
}
