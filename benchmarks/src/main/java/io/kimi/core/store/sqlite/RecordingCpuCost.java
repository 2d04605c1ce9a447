package io.kimi.core.store.sqlite;

import io.kimi.core.Event;
import io.kimi.core.RequestRecord;
import io.kimi.core.SessionTotals;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.Arrays;

/**
 * The SQLite writer's CPU time per proxied request, for the two ways of recording one (see
 * {@link RequestRecordingBenchmark}): thread CPU time is what a shared, loaded machine cannot inflate the way it
 * inflates wall-clock time. {@code java -cp ... io.kimi.core.store.sqlite.RecordingCpuCost [requests] [rounds]}
 * prints the median over the rounds, in microseconds of writer CPU per request.
 */
public final class RecordingCpuCost {
    private static final String SESSION = BenchStore.SESSION;
    private static final int CHUNK = 500;

    private RecordingCpuCost() {
    }

    public static void main(String[] args) throws IOException {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        for (boolean pending : new boolean[] {false, true}) {
            double[] perRequest = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                perRequest[round] = writerMicrosPerRequest(pending, requests);
            }
            Arrays.sort(perRequest);
            System.out.printf("%s: writer CPU per request, median of %d rounds of %d requests: %.1f us (all: %s)%n",
                    pending ? "pending record, then record+totals+event in one write"
                            : "record, totals and event as three writes",
                    rounds, requests, perRequest[rounds / 2], Arrays.toString(perRequest));
        }
    }

    private static double writerMicrosPerRequest(boolean pending, int requests) throws IOException {
        try (BenchStore bench = BenchStore.open("kimi-recording-cpu")) {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long writer = BenchStore.writerThreadId();
            Recorder recorder = new Recorder(bench.store, pending);
            recorder.run(requests / 4); // warm-up
            long before = threads.getThreadCpuTime(writer);
            recorder.run(requests);
            long after = threads.getThreadCpuTime(writer);
            return (after - before) / 1000.0 / requests;
        }
    }

    /** Records requests in chunks, each phase committed before the next, as under load. */
    private static final class Recorder {
        private final SqliteStore store;
        private final boolean pending;
        private long next;
        private SessionTotals totals = SessionTotals.ZERO;

        Recorder(SqliteStore store, boolean pending) {
            this.store = store;
            this.pending = pending;
        }

        void run(int requests) {
            for (int done = 0; done < requests; done += CHUNK) {
                Instant now = Instant.now();
                long first = next;
                next += CHUNK;
                if (pending) {
                    for (long id = first; id < next; id++) {
                        store.savePendingRequest(BenchStore.pending(id, now));
                    }
                    store.flush().join();
                }
                for (long id = first; id < next; id++) {
                    RequestRecord r = BenchStore.record(id, now);
                    totals = totals.plus(r);
                    Event event = BenchStore.event(id, now);
                    if (pending) {
                        store.recordRequest(r, totals, event);
                    } else {
                        store.saveRequest(r);
                        store.saveSessionTotals(SESSION, totals);
                        store.appendEvent(event);
                    }
                }
                store.flush().join();
            }
        }
    }
}
