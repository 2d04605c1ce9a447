package io.kimi.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time and resident memory of a process and its descendants (nginx's workers), read from {@code /proc}.
 * Linux only; on another system every figure is {@code -1}.
 */
final class ProcStats {
    /** Clock ticks per second of {@code /proc/<pid>/stat} times (USER_HZ; 100 on Linux for decades). */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** The process and every descendant alive now. */
    static List<Long> tree(long pid) {
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    /** User + system CPU seconds used so far by the process tree, or -1 when unreadable. */
    static double cpuSeconds(long pid) {
        double total = 0;
        for (long p : tree(pid)) {
            double s = cpuSecondsOf(p);
            if (s < 0) {
                return p == pid ? -1 : total;
            }
            total += s;
        }
        return total;
    }

    /** Resident set size of the process tree in KiB (from {@code VmRSS}), or -1 when unreadable. */
    static long rssKib(long pid) {
        long total = 0;
        for (long p : tree(pid)) {
            long kib = rssKibOf(p);
            if (kib < 0) {
                if (p == pid) {
                    return -1;
                }
                continue;
            }
            total += kib;
        }
        return total;
    }

    /**
     * CPU seconds so far of each thread group of one process: threads named alike (their names as the kernel keeps
     * them, 15 characters, with trailing numbers removed) are summed, e.g. {@code multiThreadIoEv} for the
     * event loops, {@code kimi-accounting}, {@code GC Thread#}. Empty when unreadable.
     */
    static Map<String, Double> threadCpuSeconds(long pid) {
        Map<String, Double> groups = new TreeMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (var dirs = Files.list(tasks)) {
            dirs.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                            .replaceAll("[-#]?\\d+$", "").replaceAll("[-#]?\\d+$", "");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    double seconds = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
                    groups.merge(name, seconds, Double::sum);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while we listed them: nothing to add
                }
            });
        } catch (IOException e) {
            return Map.of();
        }
        return groups;
    }

    private static double cpuSecondsOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name (which may hold spaces) start after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long utime = Long.parseLong(f[11]);
            long stime = Long.parseLong(f[12]);
            return (utime + stime) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long rssKibOf(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
