package io.kimi.features.compaction;

import io.kimi.core.CompactionRecord;

/**
 * Told when a compaction starts or stops applying (the services layer records and pushes these as
 * {@code COMPACTION_APPLIED} and {@code COMPACTION_UNDONE} events). Called on a background thread, after the
 * change is stored; a listener that throws is logged and does not undo the change.
 */
public interface CompactionListener {

    /** A listener that does nothing. */
    CompactionListener NONE = new CompactionListener() {
        @Override
        public void applied(CompactionRecord record) {
        }

        @Override
        public void undone(CompactionRecord record) {
        }
    };

    /** The compaction was stored and applies to the session's later requests. */
    void applied(CompactionRecord record);

    /** The compaction was undone (stored with its {@code undoneAt}) and applies no more. */
    void undone(CompactionRecord record);
}
