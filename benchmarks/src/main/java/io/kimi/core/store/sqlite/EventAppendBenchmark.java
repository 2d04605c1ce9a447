package io.kimi.core.store.sqlite;

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
 * Event appends to the SQLite store as the server makes them: {@code appendEvent} from the caller (queued), the
 * store's one writer committing them in batched transactions; then {@code flush()} waits for the commit.
 * Reported in events per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EventAppendBenchmark {
    /** Events appended before waiting for the commit: the operations of one invocation. */
    private static final int BATCH = 1000;

    private BenchStore bench;
    private SqliteStore store;
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        bench = BenchStore.open("kimi-bench-store");
        store = bench.store;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        bench.close();
    }

    /** {@link #BATCH} events appended, then committed; the score is events per second. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void appendThenFlush() {
        Instant now = Instant.now();
        for (int i = 0; i < BATCH; i++) {
            store.appendEvent(BenchStore.event(next++, now));
        }
        store.flush().join();
    }
}
