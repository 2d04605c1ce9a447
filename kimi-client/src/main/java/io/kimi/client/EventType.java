package io.kimi.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An event type. The constants are the types the dashboard and convergence loops emit; {@link #of(String)} also
 * accepts any other name, since loops may send types this client does not know. Compare with {@code equals} or
 * switch on {@link #name()}.
 *
 * @param name the wire name, e.g. {@code STEP_COMPLETE}
 */
public record EventType(String name) {
    public static final EventType SESSION_STARTED = new EventType("SESSION_STARTED");
    public static final EventType SESSION_ENDED = new EventType("SESSION_ENDED");
    public static final EventType ITERATION_STARTED = new EventType("ITERATION_STARTED");
    public static final EventType ITERATION_ENDED = new EventType("ITERATION_ENDED");
    public static final EventType STATE_CHANGED = new EventType("STATE_CHANGED");
    public static final EventType STEP_STARTED = new EventType("STEP_STARTED");
    public static final EventType STEP_COMPLETE = new EventType("STEP_COMPLETE");
    public static final EventType STEP_FAILED = new EventType("STEP_FAILED");
    public static final EventType CONVERGENCE_REACHED = new EventType("CONVERGENCE_REACHED");
    public static final EventType ERROR = new EventType("ERROR");
    public static final EventType METRICS = new EventType("METRICS");
    public static final EventType REQUEST_COMPLETED = new EventType("REQUEST_COMPLETED");
    public static final EventType REQUEST_FAILED = new EventType("REQUEST_FAILED");
    public static final EventType COMPACTION_APPLIED = new EventType("COMPACTION_APPLIED");
    public static final EventType ALERT = new EventType("ALERT");

    public EventType {
        requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: blank (expected an event type such as STEP_COMPLETE)");
        }
    }

    /** The type with this wire name, known or not. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static EventType of(String name) {
        return new EventType(name);
    }

    @JsonValue
    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
