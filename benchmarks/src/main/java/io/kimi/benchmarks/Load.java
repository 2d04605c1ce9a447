package io.kimi.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one load generator against one peer, each in its own process: wrk (plain requests, with the harness's
 * Lua script) or {@link StreamLoad} (streams). Adds the CPU used meanwhile by the peer and by the mock.
 */
final class Load {
    private final Path work;
    private final String java;
    private final Path benchmarksJar;
    private final String wrk;
    private final Path lua;
    private final long mockPid;
    private final List<String> commands = new ArrayList<>();
    private int counter;

    Load(Path work, String java, Path benchmarksJar, String wrk, long mockPid) {
        this.work = work;
        this.java = java;
        this.benchmarksJar = benchmarksJar;
        this.wrk = wrk;
        this.mockPid = mockPid;
        this.lua = work.resolve("post.lua");
        try (var in = Load.class.getResourceAsStream("post.lua")) {
            Files.write(lua, in.readAllBytes());
            Files.writeString(work.resolve("body-zero.json"), MockPayloads.request("bench", false));
            Files.writeString(work.resolve("body-delay.json"), MockPayloads.request("bench-delay", false));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One example of each command line, for the report. */
    List<String> commands() {
        return commands;
    }

    /**
     * {@code wrk -t1 -c<connections> -d<seconds>s --latency} with a zero-delay ({@code delay=false}) or fixed-delay
     * body. Returns wrk's figures plus {@code rps}, {@code peer_cpu_percent} and {@code mock_cpu_percent}.
     */
    ObjectNode wrk(Peer peer, int connections, int seconds, boolean delay) throws InterruptedException {
        List<String> cmd = List.of(wrk, "-t1", "-c" + connections, "-d" + seconds + "s", "--latency", "--timeout",
                "30s", "-s", lua.toString(), peer.chatUrl().toString());
        Path body = work.resolve(delay ? "body-delay.json" : "body-zero.json");
        note("wrk", "BENCH_BODY=" + body + (peer.headers().isEmpty() ? "" : " BENCH_HEADERS='" + peer.headers() + "'")
                + " " + String.join(" ", cmd));
        Path log = work.resolve("logs").resolve("wrk-" + (++counter) + ".log");
        Cpu cpu = new Cpu(peer);
        Child child = Child.start("wrk", cmd, Map.of("BENCH_BODY", body.toString(), "BENCH_HEADERS", peer.headers()),
                log);
        int exit = child.await(seconds + 60L);
        ObjectNode result = parseWrk(log, exit);
        cpu.finish(result);
        double secondsRun = result.path("duration_us").asDouble(1) / 1e6;
        result.put("rps", result.path("requests").asDouble() / secondsRun);
        long requests = Math.max(1, result.path("requests").asLong());
        result.put("peer_cpu_us_per_request", 1e6 * result.path("peer_cpu_s").asDouble() / requests);
        result.put("mock_cpu_us_per_request", 1e6 * result.path("mock_cpu_s").asDouble() / requests);
        result.put("errors", result.path("errors_connect").asLong() + result.path("errors_read").asLong()
                + result.path("errors_write").asLong() + result.path("errors_status").asLong()
                + result.path("errors_timeout").asLong());
        return result;
    }

    /** {@link StreamLoad} with {@code streams} concurrent streams; its JSON plus CPU figures. */
    ObjectNode streams(Peer peer, int streams, double warmupS, double durationS) throws InterruptedException {
        Path out = work.resolve("logs").resolve("streams-" + (++counter) + ".json");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xms256m", "-Xmx512m", "-XX:+UseParallelGC", C1_ONLY,
                "-Dio.netty.leakDetection.level=disabled", "-cp", benchmarksJar.toString(),
                StreamLoad.class.getName(), "--url", peer.chatUrl().toString(), "--streams",
                Integer.toString(streams), "--warmup-s", Double.toString(warmupS), "--duration-s",
                Double.toString(durationS), "--threads", Integer.toString(STREAM_CLIENT_THREADS), "--out",
                out.toString()));
        if (!peer.headers().isEmpty()) {
            cmd.addAll(List.of("--headers", peer.headers()));
        }
        note("streams", String.join(" ", cmd));
        Cpu cpu = new Cpu(peer);
        Child child = Child.start("streams", cmd, Map.of(), work.resolve("logs").resolve("streams-" + counter + ".log"));
        int exit = child.await((long) (warmupS + durationS) + 90L);
        ObjectNode result = readJson(out, exit, child.log());
        cpu.finish(result);
        return result;
    }

    /**
     * Warms {@code peer} up with {@code streams} concurrent streams, in rounds of {@code roundS} seconds, until its
     * JIT compilers (threads named {@code C1/C2 CompilerThread}) used less than {@link #JIT_SETTLED} of a core in
     * a round, or {@code maxS} seconds have passed: on a slow machine a fixed few seconds leave the compilers
     * busy in the measured window, which then measures them. A peer without such threads (nginx, Node) gets one
     * round. Returns what it did: rounds, seconds, and the compilers' CPU in each round.
     */
    ObjectNode warmStreams(Peer peer, int streams, double roundS, double maxS) throws InterruptedException {
        ObjectNode warm = object();
        ArrayNode jit = warm.putArray("jit_cpu_s_by_round");
        long start = System.nanoTime();
        int rounds = 0;
        while (true) {
            double jit0 = compilerCpuSeconds(peer.pid());
            streams(peer, streams, 0, roundS);
            double used = compilerCpuSeconds(peer.pid()) - jit0;
            rounds++;
            jit.add(Math.round(used * 100) / 100.0);
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (used < JIT_SETTLED * roundS || elapsed + roundS > maxS) {
                warm.put("settled", used < JIT_SETTLED * roundS);
                warm.put("rounds", rounds);
                warm.put("seconds", Math.round(elapsed * 10) / 10.0);
                return warm;
            }
        }
    }

    /**
     * The stream and fan-out clients compile with C1 only: each run is a new JVM, and with C2 the client spent
     * more CPU compiling itself than reading (2026-12-07, direct at 64 streams: C2 1.57 s, its event loops
     * 1.05 s), in the measured window, on the cores the server and the mock need. C1 code is a little slower and
     * compiled in a fraction of that.
     */
    static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

    /**
     * The stream client's event loops: at 1,024 streams it reads ~50,000 deltas a second, so that one thread is
     * not what paces the reads (direct, the mock alone, stalled at 1,024 with one; see benchmarks/NOTES.md).
     */
    static final int STREAM_CLIENT_THREADS = 2;

    /** The share of a core under which a peer's JIT compilers count as done for {@link #warmStreams}. */
    static final double JIT_SETTLED = 0.05;

    /** CPU seconds so far of a process's JIT compiler threads (0 when it has none). */
    static double compilerCpuSeconds(long pid) {
        double sum = 0;
        for (Map.Entry<String, Double> e : ProcStats.threadCpuSeconds(pid).entrySet()) {
            if (e.getKey().startsWith("C1 Compiler") || e.getKey().startsWith("C2 Compiler")) {
                sum += e.getValue();
            }
        }
        return sum;
    }

    /** {@link WsFanout} against our server. */
    ObjectNode fanout(Peer kimi, int clients, int rate, double warmupS, double durationS) throws InterruptedException {
        Path out = work.resolve("logs").resolve("fanout-" + (++counter) + ".json");
        String base = "http://" + kimi.chatUrl().getHost() + ":" + kimi.chatUrl().getPort();
        List<String> cmd = List.of(java, "-Xms256m", "-Xmx1g", "-XX:+UseParallelGC", C1_ONLY,
                "-Dio.netty.leakDetection.level=disabled", "-cp", benchmarksJar.toString(), WsFanout.class.getName(),
                "--base", base, "--clients", Integer.toString(clients), "--rate", Integer.toString(rate),
                "--batch", Integer.toString(Math.max(1, rate / 50)), "--warmup-s", Double.toString(warmupS),
                "--duration-s", Double.toString(durationS), "--pid", Long.toString(kimi.pid()), "--out",
                out.toString());
        note("fanout", String.join(" ", cmd));
        Child child = Child.start("fanout", cmd, Map.of(), work.resolve("logs").resolve("fanout-" + counter + ".log"));
        int exit = child.await((long) (warmupS + durationS) + 120L);
        return readJson(out, exit, child.log());
    }

    private void note(String kind, String command) {
        if (commands.stream().noneMatch(c -> c.startsWith(kind + ": "))) {
            commands.add(kind + ": " + command);
        }
    }

    private static ObjectNode parseWrk(Path log, int exit) {
        try {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                int at = line.indexOf("BENCH_RESULT ");
                if (at >= 0) {
                    ObjectNode n = (ObjectNode) Json.read(line.substring(at + "BENCH_RESULT ".length()));
                    n.put("exit", exit);
                    return n;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("wrk printed no result (exit " + exit + "); see " + log);
    }

    private static ObjectNode readJson(Path out, int exit, Path log) {
        if (!Files.exists(out)) {
            throw new IllegalStateException("load generator wrote no result (exit " + exit + "); see " + log);
        }
        ObjectNode n = (ObjectNode) Json.read(out);
        n.put("exit", exit);
        return n;
    }

    /** CPU seconds of the peer and of the mock between construction and {@link #finish}. */
    private final class Cpu {
        private final Peer peer;
        private final long start = System.nanoTime();
        private final double peer0;
        private final double mock0;
        private final Map<String, Double> threads0;

        Cpu(Peer peer) {
            this.peer = peer;
            this.peer0 = ProcStats.cpuSeconds(peer.pid());
            this.mock0 = ProcStats.cpuSeconds(mockPid);
            this.threads0 = ProcStats.threadCpuSeconds(peer.pid());
        }

        void finish(ObjectNode result) {
            double wall = (System.nanoTime() - start) / 1e9;
            double peerCpu = ProcStats.cpuSeconds(peer.pid()) - peer0;
            double mockCpu = ProcStats.cpuSeconds(mockPid) - mock0;
            result.put("wall_s", wall);
            result.put("peer_cpu_s", peerCpu);
            result.put("mock_cpu_s", mockCpu);
            result.put("peer_cpu_percent", 100 * peerCpu / wall);
            result.put("mock_cpu_percent", 100 * mockCpu / wall);
            if (peer.name().equals("kimi")) {
                ObjectNode threads = result.putObject("thread_cpu_s");
                ProcStats.threadCpuSeconds(peer.pid()).forEach((name, seconds) -> {
                    double used = seconds - threads0.getOrDefault(name, 0.0);
                    if (used > 0) {
                        threads.put(name, used);
                    }
                });
            }
        }
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
