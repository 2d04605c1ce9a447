package io.kimi.core.store;

import io.kimi.core.MaskedContent;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The sanitizer's masked contents, shared by hash. */
public interface MaskRecords extends QueuedWrites {

    /**
     * Stores masked content unless content with the same hash is stored already (then nothing changes). The
     * session must exist; deleting it deletes the masks first taken in it.
     */
    CompletableFuture<Void> saveMask(MaskedContent mask);

    Optional<MaskedContent> findMask(String hash);

    /** Stored masks, newest first. */
    Page<MaskedContent> listMasks(int limit, int offset);

    /** Totals over every stored mask. */
    MaskStats maskStats();
}
