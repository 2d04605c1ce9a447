package io.kimi.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Counts a process's system calls of a few kinds while it runs, with {@code perf stat} on the kernel's
 * {@code syscalls:sys_enter_*} tracepoints (the threads that exist when counting starts; a server's event loops,
 * writer and accounting threads do). Needs root or {@code kernel.perf_event_paranoid = -1}.
 */
final class SyscallCount {
    static final List<String> CALLS = List.of("epoll_ctl", "epoll_wait", "read", "write", "writev");

    private final Process perf;
    private final Path out;

    private SyscallCount(Process perf, Path out) {
        this.perf = perf;
        this.out = out;
    }

    static SyscallCount start(long pid, Path work) throws IOException, InterruptedException {
        Path out = work.resolve("perf-stat.csv");
        Files.deleteIfExists(out);
        StringBuilder events = new StringBuilder();
        for (String call : CALLS) {
            events.append(events.length() == 0 ? "" : ",").append("syscalls:sys_enter_").append(call);
        }
        Process perf = new ProcessBuilder("perf", "stat", "-x", ",", "-e", events.toString(), "-p",
                Long.toString(pid), "-o", out.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("perf-stat.log").toFile()).start();
        Thread.sleep(300); // perf attaches to every thread before the round starts
        return new SyscallCount(perf, out);
    }

    /** Stops counting; the calls of each kind divided by {@code requests}. */
    String stop(int requests) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(perf.pid())).start().waitFor();
        if (!perf.waitFor(10, TimeUnit.SECONDS)) {
            perf.destroyForcibly();
            return "(perf did not stop)";
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String line : Files.readAllLines(out)) {
            String[] f = line.split(",");
            if (f.length > 2 && f[2].startsWith("syscalls:sys_enter_")) {
                try {
                    counts.put(f[2].substring("syscalls:sys_enter_".length()), Long.parseLong(f[0]));
                } catch (NumberFormatException e) {
                    counts.put(f[2].substring("syscalls:sys_enter_".length()), -1L);
                }
            }
        }
        StringBuilder b = new StringBuilder();
        counts.forEach((call, n) -> b.append(b.length() == 0 ? "" : ", ").append(call).append(' ')
                .append(n < 0 ? "n/a" : String.format("%.2f", n / (double) requests)));
        return b.length() == 0 ? "(no perf output: " + out + ")" : b.toString();
    }
}
