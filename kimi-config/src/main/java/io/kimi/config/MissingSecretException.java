package io.kimi.config;

import io.kimi.core.KimiException;

/** A secret was needed but its environment variable is unset (or none was configured). */
public final class MissingSecretException extends KimiException {
    private static final long serialVersionUID = 1L;

    private final String variable;

    public MissingSecretException(String variable) {
        super(variable == null
                ? "no API key is configured for this provider"
                : "environment variable " + variable + " is not set (it holds this provider's API key)");
        this.variable = variable;
    }

    /** The unset variable's name, or {@code null} when no secret was configured at all. */
    public String variable() {
        return variable;
    }
}
