package io.kimi.config;

import io.kimi.core.KimiException;

/** A configuration file or value is invalid. The message names the file, the key and the reason. */
public final class ConfigException extends KimiException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String key;
    private final String reason;

    public ConfigException(String source, String key, String reason) {
        super(source + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + reason);
        this.source = source;
        this.key = key;
        this.reason = reason;
    }

    public ConfigException(String source, String key, String reason, Throwable cause) {
        super(source + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + reason, cause);
        this.source = source;
        this.key = key;
        this.reason = reason;
    }

    /** The file (or "environment", "command line", "built-in defaults") the bad value came from. */
    public String source() {
        return source;
    }

    /** The dotted key, e.g. {@code providers.openai.base_url}; may be empty for file-level errors. */
    public String key() {
        return key;
    }

    public String reason() {
        return reason;
    }
}
