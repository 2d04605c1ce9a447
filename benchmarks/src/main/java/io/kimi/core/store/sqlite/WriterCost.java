package io.kimi.core.store.sqlite;

import com.sun.management.ThreadMXBean;
import io.kimi.core.Event;
import io.kimi.core.Ids;
import io.kimi.core.MemoryUsage;
import io.kimi.core.PendingRequest;
import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.SessionTotals;
import io.kimi.core.TokenUsage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the SQLite writer spends per proxied request, recorded as the server records one (a pending record before
 * the request goes upstream, then the record, its session's totals and its event in one write, then the
 * request's memory figures), in two rhythms. Since issue 17 the pending record is an intent appended to the
 * journal on the calling thread, not a write of the writer: the figures here are then the finished records'.
 * <ul>
 *   <li>{@code serial}: one request at a time, as at concurrency 1: each pending record is waited for (before
 *       issue 17, a commit of its own per request);</li>
 *   <li>{@code batched}: 500 requests at a time, each phase committed before the next, as under load.</li>
 * </ul>
 * Per request: the writer thread's CPU time and heap allocation (its {@code ThreadMXBean}), and the bytes this
 * process wrote ({@code /proc/self/io} wchar: the writer is the only thread writing, so that is the WAL and the
 * checkpoints). Allocation and bytes written are what a loaded machine does not inflate.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.kimi.core.store.sqlite.WriterCost [requests=20000] [rounds=5]
 *     [drop=index,index...|-] [memory=true|false]</pre>
 *
 * {@code drop} drops those indexes after the store is opened (to measure what each costs); {@code memory=false}
 * leaves out the memory row written after each request.
 */
public final class WriterCost {
    private static final String SESSION = BenchStore.SESSION;
    private static final int CHUNK = 500;
    private static final String DATA = "{\"request_id\":\"req_0123456789abcdef\",\"model\":\"bench\","
            + "\"provider\":\"mock\",\"status\":\"success\",\"http_status\":200,\"stream\":false,"
            + "\"prompt_tokens\":231,\"completion_tokens\":128,\"estimated_prompt_tokens\":229,"
            + "\"usage_source\":\"reported\",\"cost_usd\":0.000412,\"latency_ms\":12,\"context_percent\":0.09,"
            + "\"source\":\"proxy\",\"estimated_completion_tokens\":null}";

    private WriterCost() {
    }

    public static void main(String[] args) throws IOException {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String[] drop = args.length > 2 && !args[2].equals("-") ? args[2].split(",") : new String[0];
        boolean memory = args.length <= 3 || Boolean.parseBoolean(args[3]);
        for (boolean serial : new boolean[] {true, false}) {
            double[][] figures = new double[3][rounds];
            for (int round = 0; round < rounds; round++) {
                double[] f = perRequest(serial, requests, drop, memory);
                for (int i = 0; i < 3; i++) {
                    figures[i][round] = f[i];
                }
            }
            for (double[] f : figures) {
                Arrays.sort(f);
            }
            System.out.printf(Locale.ROOT, "%s: writer per request, median of %d rounds of %d: %.1f us CPU "
                    + "(all %s), %.0f bytes allocated, %.0f bytes written%n", serial ? "serial" : "batched",
                    rounds, requests, figures[0][rounds / 2], Arrays.toString(figures[0]), figures[1][rounds / 2],
                    figures[2][rounds / 2]);
        }
    }

    private static double[] perRequest(boolean serial, int requests, String[] drop, boolean memory)
            throws IOException {
        try (BenchStore bench = BenchStore.open("kimi-writer-cost")) {
            for (String index : drop) {
                bench.store.submit("drop " + index, h -> h.execute("DROP INDEX IF EXISTS " + index)).join();
            }
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            long writer = BenchStore.writerThreadId();
            Recorder recorder = new Recorder(bench.store, memory);
            recorder.run(serial, requests / 4); // warm-up
            long cpu = threads.getThreadCpuTime(writer);
            long allocated = threads.getThreadAllocatedBytes(writer);
            long written = wchar();
            recorder.run(serial, requests);
            return new double[] {
                (threads.getThreadCpuTime(writer) - cpu) / 1000.0 / requests,
                (threads.getThreadAllocatedBytes(writer) - allocated) / (double) requests,
                (wchar() - written) / (double) requests};
        }
    }

    private static long wchar() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("wchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        return -1;
    }

    private static final class Recorder {
        private final SqliteStore store;
        private final boolean memory;
        private SessionTotals totals = SessionTotals.ZERO;

        Recorder(SqliteStore store, boolean memory) {
            this.store = store;
            this.memory = memory;
        }

        void run(boolean serial, int requests) {
            if (serial) {
                for (int i = 0; i < requests; i++) {
                    String id = Ids.timeOrdered("req_");
                    Instant now = Instant.now();
                    store.savePendingRequest(pending(id, now)).join();
                    finish(id, now);
                }
                store.flush().join();
                return;
            }
            for (int done = 0; done < requests; done += CHUNK) {
                Instant now = Instant.now();
                String[] ids = new String[CHUNK];
                for (int i = 0; i < CHUNK; i++) {
                    ids[i] = Ids.timeOrdered("req_");
                    store.savePendingRequest(pending(ids[i], now));
                }
                store.flush().join();
                for (String id : ids) {
                    finish(id, now);
                }
                store.flush().join();
            }
        }

        private void finish(String id, Instant now) {
            RequestRecord r = new RequestRecord(id, SESSION, now, "mock", "bench", "bench-upstream", false,
                    RequestStatus.SUCCESS, 200, null, null, new TokenUsage(229, 0, 0), new TokenUsage(231, 128, 0),
                    0.000412, 12, 3, "proxy");
            totals = totals.plus(r);
            store.recordRequest(r, totals, new Event(Ids.timeOrdered().toString(), SESSION, now, 0, null, "REQUEST_COMPLETED", DATA));
            if (memory) {
                store.saveMemoryUsage(new MemoryUsage(id, SESSION, now, 0, 229, 0));
            }
        }

        private static PendingRequest pending(String id, Instant now) {
            return new PendingRequest(id, SESSION, now, "mock", "bench", "bench-upstream", false, 229,
                    "proxy");
        }
    }
}
