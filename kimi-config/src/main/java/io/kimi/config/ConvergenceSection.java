package io.kimi.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads {@code [convergence]}, then applies {@code CONVERGENCE_WS_URL} / {@code DASHBOARD_MOCK} and the
 * command line ({@code --convergence-url}, {@code --mock}) on top. A URL of {@code ""} or {@code off}
 * turns the bridge off.
 */
final class ConvergenceSection {
    static final List<String> KEYS = List.of("url", "mock", "reconnect_max_ms", "mock_interval_ms", "mock_seed",
            "liveness_timeout_ms");
    static final String URL_VAR = "CONVERGENCE_WS_URL";
    static final String MOCK_VAR = "DASHBOARD_MOCK";

    private final Map<String, String> env;

    ConvergenceSection(Map<String, String> env) {
        this.env = env;
    }

    ConvergenceConfig read(Table t, ConfigOverrides cli) {
        t.requireOnly(KEYS);
        URI url = ConvergenceConfig.DEFAULT_URL;
        if (t.has("url")) {
            url = ConvergenceConfig.parseUrl(t.string("url").orElse(""), t.source(), t.keyPath("url"));
        }
        boolean mock = t.bool("mock").orElse(false);
        Duration reconnectMax = Duration.ofMillis(t.integer("reconnect_max_ms", 100, 3_600_000).orElse(30_000L));
        Duration mockInterval = Duration.ofMillis(t.integer("mock_interval_ms", 10, 3_600_000).orElse(1_000L));
        Long mockSeed = t.integer("mock_seed", Long.MIN_VALUE, Long.MAX_VALUE).orElse(null);
        Duration liveness = Duration.ofMillis(t.integer("liveness_timeout_ms", 300, 3_600_000)
                .orElse(ConvergenceConfig.DEFAULT_LIVENESS_TIMEOUT.toMillis()));

        String envUrl = env.get(URL_VAR);
        if (envUrl != null && !envUrl.isBlank()) {
            url = ConvergenceConfig.parseUrl(envUrl, ServerOverrides.ENVIRONMENT, URL_VAR);
        }
        String envMock = env.get(MOCK_VAR);
        if (envMock != null && !envMock.isBlank()) {
            mock = parseBool(envMock, MOCK_VAR);
        }
        if (cli.convergenceUrl() != null) {
            url = ConvergenceConfig.parseUrl(cli.convergenceUrl(), ServerOverrides.COMMAND_LINE, "--convergence-url");
        }
        if (cli.mock() != null) {
            mock = cli.mock();
        }
        return new ConvergenceConfig(url, mock, reconnectMax, mockInterval, mockSeed, liveness);
    }

    private static boolean parseBool(String raw, String key) {
        String v = raw.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("1") || v.equals("yes")) {
            return true;
        }
        if (v.equals("false") || v.equals("0") || v.equals("no")) {
            return false;
        }
        throw new ConfigException(ServerOverrides.ENVIRONMENT, key, "expected true or false, got \"" + raw + "\"");
    }
}
