package io.kimi.config;

import java.util.Objects;
import java.util.Optional;

/**
 * A secret from config, such as a provider's API key, written in the file as {@code "${ENV_VAR}"}.
 * Its {@link #toString()} never shows the value. When the variable was unset at load time, the secret is
 * {@linkplain #isResolved() unresolved} and {@link #value()} throws a {@link MissingSecretException} naming
 * the variable, so the problem is reported where the secret is used, never sent anywhere.
 */
public final class Secret {
    private static final Secret NONE = new Secret(null, null);

    private final String variable;
    private final String value;

    private Secret(String variable, String value) {
        this.variable = variable;
        this.value = value;
    }

    /** No secret configured (e.g. a local provider that needs no key). */
    public static Secret none() {
        return NONE;
    }

    /** A secret taken from {@code variable}, whose value is {@code value} or {@code null} when unset. */
    public static Secret fromVariable(String variable, String value) {
        return new Secret(variable, value == null || value.isEmpty() ? null : value);
    }

    /** A literal secret (discouraged in files, allowed for embedding and tests). */
    public static Secret literal(String value) {
        return new Secret(null, value == null || value.isEmpty() ? null : value);
    }

    public boolean isConfigured() {
        return variable != null || value != null;
    }

    public boolean isResolved() {
        return value != null;
    }

    /** The environment variable the secret comes from, if any. */
    public Optional<String> variable() {
        return Optional.ofNullable(variable);
    }

    /** The secret's value; throws {@link MissingSecretException} when its variable was unset. */
    public String value() {
        if (value == null) {
            throw new MissingSecretException(variable);
        }
        return value;
    }

    /** Equal when both come from the same variable (or none) and hold the same value (or none). */
    @Override
    public boolean equals(Object other) {
        return other instanceof Secret s && Objects.equals(variable, s.variable)
                && Objects.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(variable, value);
    }

    @Override
    public String toString() {
        if (value != null) {
            return variable != null ? "${" + variable + "}=****" : "****";
        }
        return variable != null ? "${" + variable + "} (unset)" : "(none)";
    }
}
