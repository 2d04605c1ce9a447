package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code [convergence]}: where the convergence loop's event stream is.
 *
 * @param url the loop's WebSocket ({@code ws://} or {@code wss://}), or {@code null} when the bridge is off
 * @param mock run a built-in simulated loop instead (for demos and trying the dashboard out)
 * @param reconnectMax the longest wait between two reconnection attempts (backoff doubles up to it)
 * @param mockInterval the time between two steps of the simulated loop
 * @param mockSeed the simulated loop's seed, for a reproducible run, or {@code null} for a random one
 */
public record ConvergenceConfig(URI url, boolean mock, Duration reconnectMax, Duration mockInterval, Long mockSeed) {
    public static final URI DEFAULT_URL = URI.create("ws://localhost:8765");
    public static final ConvergenceConfig DEFAULT = new ConvergenceConfig(DEFAULT_URL, false, Duration.ofSeconds(30),
            Duration.ofSeconds(1), null);
    /** No bridge, no simulation. */
    public static final ConvergenceConfig OFF = new ConvergenceConfig(null, false, Duration.ofSeconds(30),
            Duration.ofSeconds(1), null);

    public ConvergenceConfig {
        requireNonNull(reconnectMax, "reconnectMax");
        requireNonNull(mockInterval, "mockInterval");
    }

    public Optional<URI> bridgeUrl() {
        return Optional.ofNullable(url);
    }

    public ConvergenceConfig withUrl(URI newUrl) {
        return new ConvergenceConfig(newUrl, mock, reconnectMax, mockInterval, mockSeed);
    }

    public ConvergenceConfig withMock(boolean newMock) {
        return new ConvergenceConfig(url, newMock, reconnectMax, mockInterval, mockSeed);
    }
}
