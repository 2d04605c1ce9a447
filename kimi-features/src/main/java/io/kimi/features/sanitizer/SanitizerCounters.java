package io.kimi.features.sanitizer;

/**
 * What the sanitizer did since this process started (not persisted; {@code GET /api/sanitizer/stats} shows them
 * beside the stored {@code MaskStats}). A client resends its history, so a message masked in every request of a
 * session counts once per request, as do the tokens it saves each time.
 *
 * @param requestsSeen requests the sanitizer ran on
 * @param requestsMasked of which it masked at least one message in
 * @param messagesMasked messages replaced by a placeholder, summed over requests
 * @param tokensSaved tokens not sent upstream thanks to it, summed over requests
 */
public record SanitizerCounters(long requestsSeen, long requestsMasked, long messagesMasked, long tokensSaved) {
}
