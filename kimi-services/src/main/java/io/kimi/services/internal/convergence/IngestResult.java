package io.kimi.services.internal.convergence;

import java.util.List;

/**
 * What an ingest did.
 *
 * @param accepted events newly stored
 * @param duplicates events already stored (same {@code event_id}), ignored
 * @param rejected events refused (e.g. naming a proxy session), with {@code problems}
 * @param problems readable reasons for the rejected ones
 */
public record IngestResult(int accepted, int duplicates, int rejected, List<String> problems) {
    public IngestResult {
        problems = List.copyOf(problems);
    }
}
