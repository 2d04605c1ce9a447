package io.kimi.features.compaction;

import io.kimi.core.KimiException;

/** A session cannot be compacted now: no conversation seen for it yet, or too short. The message says which. */
public final class NothingToCompactException extends KimiException {
    private static final long serialVersionUID = 1L;

    public NothingToCompactException(String message) {
        super(message);
    }
}
