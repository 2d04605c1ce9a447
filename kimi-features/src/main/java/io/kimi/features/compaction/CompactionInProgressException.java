package io.kimi.features.compaction;

import io.kimi.core.KimiException;

/** A compaction of the session is being made already; try again when it is done. */
public final class CompactionInProgressException extends KimiException {
    private static final long serialVersionUID = 1L;

    public CompactionInProgressException(String sessionId) {
        super("session " + sessionId + ": a compaction is in progress already");
    }
}
