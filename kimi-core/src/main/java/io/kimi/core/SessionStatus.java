package io.kimi.core;

import java.util.Locale;

/** A session's life-cycle status. A failed session is never shown as completed. */
public enum SessionStatus {
    RUNNING,
    CONVERGED,
    FAILED,
    COMPLETED;

    /** The lower-case name used on the wire and in the database. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; throws {@link IllegalArgumentException} naming the accepted values. */
    public static SessionStatus fromWire(String value) {
        for (SessionStatus status : values()) {
            if (status.wireName().equals(value)) {
                return status;
            }
        }
        throw new IllegalArgumentException(
                "status: " + value + " (expected: running, converged, failed, completed)");
    }
}
