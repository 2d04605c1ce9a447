package io.kimi.core.store;

import io.kimi.core.CompactionRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Context compactions: saved as made (or undone), loaded at start. */
public interface CompactionRecords extends QueuedWrites {

    /** Inserts a compaction, or replaces every field of the stored one with the same id (e.g. to undo it). */
    CompletableFuture<Void> saveCompaction(CompactionRecord compaction);

    /** A session's compactions, newest first, undone ones included. */
    List<CompactionRecord> listCompactions(String sessionId);

    /**
     * Every compaction that still applies (not undone), oldest first, for loading at start. A session may have
     * several: a later one can replace a run that begins with an earlier one's summary.
     */
    List<CompactionRecord> listActiveCompactions();
}
