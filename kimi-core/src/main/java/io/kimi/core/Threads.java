package io.kimi.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/** The project's background threads: named daemons, and a bounded shutdown that says what it dropped. */
public final class Threads {
    private Threads() {
    }

    /** Daemon threads named {@code name}, or {@code name-1}, {@code name-2}... when a pool makes several. */
    public static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            int n = count.incrementAndGet();
            Thread t = new Thread(r, n == 1 ? name : name + "-" + n);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Like {@link #daemon}, at the lowest Java priority: for work that follows the requests and must never delay
     * them (recording, the database writer). On Linux the JVM passes Java priorities to the kernel only with
     * {@code -XX:ThreadPriorityPolicy=1} (then {@link Thread#MIN_PRIORITY} is nice 4, or what
     * {@code -XX:JavaPriority1_To_OSPriority} says); without it this is the same as {@link #daemon}.
     */
    public static ThreadFactory background(String name) {
        ThreadFactory daemons = daemon(name);
        return r -> {
            Thread t = daemons.newThread(r);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
        };
    }

    /**
     * Lets queued tasks finish within {@code grace}, then interrupts what is left; logs what was not done.
     * Returns whether everything finished.
     */
    public static boolean shutdown(ExecutorService executor, Duration grace, String what, Logger log) {
        executor.shutdown();
        try {
            if (executor.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
            List<Runnable> dropped = executor.shutdownNow();
            log.warn("{} did not finish within {} ms; {} queued task(s) dropped", what, grace.toMillis(),
                    dropped.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
            log.warn("Interrupted while waiting for {} to finish", what);
        }
        return false;
    }
}
