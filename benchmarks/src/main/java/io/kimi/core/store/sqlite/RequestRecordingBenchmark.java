package io.kimi.core.store.sqlite;

import io.kimi.core.RequestRecord;
import io.kimi.core.SessionTotals;
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
            RequestRecord r = BenchStore.record(first + i, now);
            totals = totals.plus(r);
            store.saveRequest(r);
            store.saveSessionTotals(BenchStore.SESSION, totals);
            store.appendEvent(BenchStore.event(first + i, now));
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
            store.savePendingRequest(BenchStore.pending(first + i, now));
        }
        store.flush().join();
        for (int i = 0; i < BATCH; i++) {
            RequestRecord r = BenchStore.record(first + i, now);
            totals = totals.plus(r);
            store.recordRequest(r, totals, BenchStore.event(first + i, now));
        }
        next += BATCH;
        store.flush().join();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    public void pendingCommitWait() {
        Instant now = Instant.now();
        long id = next++;
        store.savePendingRequest(BenchStore.pending(id, now)).join();
        RequestRecord r = BenchStore.record(id, now);
        totals = totals.plus(r);
        store.recordRequest(r, totals, BenchStore.event(id, now));
    }
}
