package io.kimi.config;

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
}
