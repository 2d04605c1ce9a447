package io.kimi.core.store;

import io.kimi.core.Event;
import io.kimi.core.PendingRequest;
import io.kimi.core.RequestRecord;
import io.kimi.core.SessionTotals;
import java.util.concurrent.CompletableFuture;

/**
 * The request records written after (and before) every proxied request: what the accountant needs. The records
 * may wait a few milliseconds to share a commit with others; {@link #savePendingRequest} never waits for company.
 */
public interface RequestLog extends QueuedWrites {

    /**
     * Appends a request record to its session (which must exist, or be saved earlier), replacing the request's
     * pending record if there is one.
     */
    CompletableFuture<Void> saveRequest(RequestRecord request);

    /**
     * Records a request about to be sent upstream, so that it leaves a trace even if the process dies before it
     * finishes: once the future completes normally, the trace survives the process being killed, so a caller may
     * wait for it before sending. (The SQLite store appends it to its intent journal on the calling thread and
     * returns a completed future.) The finished request's {@link #recordRequest} (or {@link #saveRequest})
     * settles it; when the store is opened again, pending records left become
     * {@link io.kimi.core.RequestStatus#INTERRUPTED interrupted} requests, counted in their session's totals (see
     * {@link #interruptedAtOpen()}).
     */
    CompletableFuture<Void> savePendingRequest(PendingRequest pending);

    /**
     * Records a finished request in one transaction: its record (settling its pending record), its session's
     * totals after it (only those columns, as {@link #saveSessionTotals}) and its event. A crash leaves all
     * three or none, so the stored totals always count the stored records.
     */
    CompletableFuture<Void> recordRequest(RequestRecord request, SessionTotals totalsAfter, Event event);

    /**
     * Stores a proxy session's totals only (nothing else of the session changes); does nothing when the session
     * no longer exists. Meant for the totals after each request: when several are queued for the same session
     * before the store gets to them, only the newest may be written.
     */
    CompletableFuture<Void> saveSessionTotals(String sessionId, SessionTotals totals);

    /**
     * How many pending requests opening this store found (the process that wrote them had stopped without
     * finishing them) and stored as {@link io.kimi.core.RequestStatus#INTERRUPTED interrupted}.
     */
    int interruptedAtOpen();
}
