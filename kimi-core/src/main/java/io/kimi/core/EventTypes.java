package io.kimi.core;

/** Names of the event types this project emits or understands. Others are accepted as they come. */
public final class EventTypes {
    public static final String SESSION_STARTED = "SESSION_STARTED";
    public static final String SESSION_ENDED = "SESSION_ENDED";
    public static final String ITERATION_STARTED = "ITERATION_STARTED";
    public static final String ITERATION_ENDED = "ITERATION_ENDED";
    public static final String STATE_CHANGED = "STATE_CHANGED";
    public static final String STEP_STARTED = "STEP_STARTED";
    public static final String STEP_COMPLETE = "STEP_COMPLETE";
    public static final String STEP_FAILED = "STEP_FAILED";
    public static final String CONVERGENCE_REACHED = "CONVERGENCE_REACHED";
    public static final String ERROR = "ERROR";
    public static final String METRICS = "METRICS";
    public static final String REQUEST_COMPLETED = "REQUEST_COMPLETED";
    public static final String REQUEST_FAILED = "REQUEST_FAILED";
    public static final String COMPACTION_APPLIED = "COMPACTION_APPLIED";
    public static final String ALERT = "ALERT";
    /** A compaction of a proxy session was undone: later requests are sent as the client wrote them. */
    public static final String COMPACTION_UNDONE = "COMPACTION_UNDONE";
    /** The sanitizer replaced large tool or console output by placeholders in a request. */
    public static final String CONTENT_MASKED = "CONTENT_MASKED";
    /** Tool-call repair fixed ids or arguments of a request's tool calls. */
    public static final String TOOL_CALLS_REPAIRED = "TOOL_CALLS_REPAIRED";

    private EventTypes() {
    }
}
