package io.kimi.core.store.sqlite;

import io.kimi.core.Event;
import io.kimi.core.PendingRequest;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.SessionTotals;
import io.kimi.core.TokenUsage;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the store does for each proxied request, per request, on the SQLite writer:
 * <ul>
 *   <li>{@code separateWrites}: the record, the session's totals and the event as three queued writes (how
 *       requests were recorded before pending records: a crash could keep some of the three);</li>
 *   <li>{@code pendingThenRecord}: a pending record before the request goes upstream (since issue 17 an intent
 *       appended to the journal on the calling thread; before, a commit), then the record, totals and event as
 *       one write;</li>
 *   <li>{@code pendingCommitWait}: how long one request waits for its pending record when the writer is idle
 *       (concurrency 1): the latency the proxy adds before sending upstream (since issue 17 one journal
 *       {@code write()}).</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RequestRecordingBenchmark {
    /** Requests recorded before waiting for the commit: the operations of one invocation. */
    private static final int BATCH = 500;
    private static final String SESSION = BenchStore.SESSION;
    private static final String DATA = "{\"request_id\":\"req_0123456789abcdef\",\"model\":\"bench\","
            + "\"prompt_tokens\":231,\"completion_tokens\":128,\"cost_usd\":0.000412,\"latency_ms\":12}";

    private BenchStore bench;
    private SqliteStore store;
    private long next;
    private SessionTotals totals = SessionTotals.ZERO;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        bench = BenchStore.open("kimi-bench-recording");
        store = bench.store;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        bench.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void separateWrites() {
        long first = next;
        Instant now = Instant.now();
        for (int i = 0; i < BATCH; i++) {
            RequestRecord r = record(first + i, now);
            totals = totals.plus(r);
            store.saveRequest(r);
            store.saveSessionTotals(SESSION, totals);
            store.appendEvent(event(first + i, now));
        }
        next += BATCH;
        store.flush().join();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void pendingThenRecord() {
        long first = next;
        Instant now = Instant.now();
        for (int i = 0; i < BATCH; i++) {
            store.savePendingRequest(pending(first + i, now));
        }
        store.flush().join();
        for (int i = 0; i < BATCH; i++) {
            RequestRecord r = record(first + i, now);
            totals = totals.plus(r);
            store.recordRequest(r, totals, event(first + i, now));
        }
        next += BATCH;
        store.flush().join();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public void pendingCommitWait() {
        Instant now = Instant.now();
        long id = next++;
        store.savePendingRequest(pending(id, now)).join();
        RequestRecord r = record(id, now);
        totals = totals.plus(r);
        store.recordRequest(r, totals, event(id, now));
    }

    private static PendingRequest pending(long id, Instant now) {
        return new PendingRequest("req-" + id, SESSION, now, "mock", "bench", "bench-upstream", false, 231, "proxy");
    }

    private static RequestRecord record(long id, Instant now) {
        return new RequestRecord("req-" + id, SESSION, now, "mock", "bench", "bench-upstream", false,
                RequestStatus.SUCCESS, 200, null, null, new TokenUsage(231, 128, 0), new TokenUsage(231, 128, 0),
                0.000412, 12, 3, "proxy");
    }

    private static Event event(long id, Instant now) {
        return new Event("ev-" + id, SESSION, now, 0, null, "REQUEST_COMPLETED", DATA);
    }
}
