package io.kimi.core.store.sqlite;

import io.kimi.core.PendingRequest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one intent append costs the calling thread (CPU time per append, {@code ThreadMXBean}), one thread and
 * several at once: {@link IntentJournal#append} (encode, monitor, one {@code write()}, settled right after, so
 * rotations included) against a bare {@code FileChannel} opened with {@code APPEND} and no monitor of ours
 * (encode and one {@code write()} only), to see what the monitor and the bookkeeping add.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.kimi.core.store.sqlite.IntentAppendCost [appends=200000]
 *     [threads=4]</pre>
 */
public final class IntentAppendCost {
    private static final Instant NOW = Instant.parse("2026-12-07T06:00:00Z");

    private IntentAppendCost() {
    }

    public static void main(String[] args) throws Exception {
        int appends = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path dir = Files.createTempDirectory("intent-cost");
        for (int round = 0; round < 3; round++) {
            for (int t : new int[] {1, threads}) {
                try (IntentJournal journal = IntentJournal.open(dir.resolve("j.db"))) {
                    double us = run(t, appends / t, id -> {
                        PendingRequest pending = pending(id);
                        journal.append(pending);
                        journal.settled(pending.requestId());
                    });
                    System.out.printf("round %d, %d thread(s): IntentJournal.append %.2f us CPU per append%n",
                            round, t, us);
                }
                Path bare = dir.resolve("bare.intents");
                try (FileChannel channel = FileChannel.open(bare, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    channel.truncate(0);
                    double us = run(t, appends / t, id -> {
                        try {
                            channel.write(ByteBuffer.wrap(IntentLine.encode(pending(id))));
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    System.out.printf("round %d, %d thread(s): bare O_APPEND FileChannel.write %.2f us CPU per"
                            + " append%n", round, t, us);
                }
            }
        }
    }

    private interface Append {
        void append(String id);
    }

    /** CPU microseconds per append, summed over the threads. */
    private static double run(int threads, int each, Append append) throws InterruptedException {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicLong cpu = new AtomicLong();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + "-";
            Thread thread = new Thread(() -> {
                long start = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < each; i++) {
                    append.append(prefix + i);
                }
                cpu.addAndGet(mx.getCurrentThreadCpuTime() - start);
            });
            running.add(thread);
            thread.start();
        }
        for (Thread thread : running) {
            thread.join();
        }
        return cpu.get() / 1000.0 / ((long) threads * each);
    }

    private static PendingRequest pending(String id) {
        return new PendingRequest("req-0123456789abcdef-" + id, "session-0123456789abcdef", NOW, "mock", "bench",
                "bench-upstream", false, 231, "proxy");
    }
}
