package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/** Test helper: runs a load that must fail with a {@link ConfigException}. */
final class Failures {
    private Failures() {
    }

    static ConfigException configException(Runnable load) {
        try {
            load.run();
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("expected a ConfigException");
    }

    /**
     * Runs a load of {@code dir}/config.toml (as {@link Loading} writes it) that must fail on {@code key}, asserts
     * the message is exactly {@code <file>: <key>: <reason>} and returns the reason.
     */
    static String reason(Path dir, String key, Runnable load) {
        ConfigException e = configException(load);
        String file = dir.resolve("config.toml").toString();
        assertThat(e.source()).isEqualTo(file);
        assertThat(e.key()).isEqualTo(key);
        assertThat(e.getMessage()).isEqualTo(file + ": " + key + ": " + e.reason());
        return e.reason();
    }
}
