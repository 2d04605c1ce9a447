package io.kimi.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * CPU time and heap allocation per proxied request of our server, by thread group: what a shared, loaded machine
 * inflates least (wall-clock figures there mean little). Starts the mock and our server (its jar, as
 * {@code run.sh} does, so a jar built from another commit can be measured the same way), sends a fixed number
 * of requests with a fixed number of keep-alive connections, waits until the server has recorded all of them
 * (a REST read waits for the recording queue), and divides what each thread used by the requests.
 *
 * <p>CPU comes from {@code /proc/<pid>/task/*}/stat} (every thread, GC and JIT included; 10 ms ticks, so use
 * enough requests); allocation from the server's own {@code ThreadMXBean} over a local JMX connection opened with
 * the attach API (Java threads only; the JMX connection's threads are shown apart and left out of the total).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.kimi.benchmarks.RequestCost --kimi-jar kimi-api/target/kimi-api.jar
 *     [--requests 20000] [--warmup 20000] [--concurrency 1] [--rounds 3] [--stream] [--deltas 16]
 *     [--config-extra "estimate_sample_every = 16"] [--jfr out.jfr] [--work dir] [--kimi-flags "-Xmx512m ..."]
 *     [--syscalls]
 * </pre>
 *
 * {@code --syscalls} counts, per round, the server's {@code epoll_ctl}, {@code epoll_wait}, {@code read},
 * {@code write} and {@code writev} calls with {@code perf stat} on the kernel's syscall tracepoints (root, or
 * {@code perf_event_paranoid} at -1): counts, unlike times, a loaded machine does not inflate.
 *
 * {@code --config-extra} lines are added to the {@code [server]} section of the server's config;
 * {@code --jfr} records the last round with JFR's {@code profile} settings (see {@link JfrSummary}).
 */
public final class RequestCost {
    private static final String DEFAULT_FLAGS = "-Xms512m -Xmx512m -XX:+UseG1GC -XX:MaxDirectMemorySize=128m";

    private RequestCost() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        Path kimiJar = Path.of(args.required("kimi-jar"));
        int requests = args.intOr("requests", 20_000);
        int warmup = args.intOr("warmup", 20_000);
        int concurrency = args.intOr("concurrency", 1);
        int rounds = args.intOr("rounds", 3);
        boolean stream = args.flag("stream");
        String jfr = args.str("jfr", null);
        boolean syscalls = args.flag("syscalls");
        Path work = Path.of(args.str("work", "benchmarks/target/request-cost"));
        Files.createDirectories(work.resolve("logs"));
        Files.deleteIfExists(work.resolve("kimi.db"));
        Files.deleteIfExists(work.resolve("kimi.db-wal"));
        Files.deleteIfExists(work.resolve("kimi.db-shm"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path benchmarksJar = Path.of(RequestCost.class.getProtectionDomain().getCodeSource().getLocation().toURI());

        int mockPort = Peers.freePort();
        int port = Peers.freePort();
        String config = Peers.kimiConfig(port, mockPort, work.resolve("kimi.db").toAbsolutePath())
                .replace("[convergence]", args.str("config-extra", "").replace("\\n", "\n") + "\n\n[convergence]");
        Files.writeString(work.resolve("kimi.toml"), config);
        List<String> mockCmd = List.of(java, "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
                "-Dio.netty.leakDetection.level=disabled", "-cp", benchmarksJar.toString(),
                MockUpstream.class.getName(), "--port", Integer.toString(mockPort), "--threads", "1",
                "--deltas", Integer.toString(args.intOr("deltas", 16)), "--interval-ms", "0");
        List<String> kimiCmd = new ArrayList<>();
        kimiCmd.add(java);
        kimiCmd.addAll(Arrays.asList(args.str("kimi-flags", DEFAULT_FLAGS).trim().split("\\s+")));
        kimiCmd.addAll(List.of("-jar", kimiJar.toString(), "--config", work.resolve("kimi.toml").toString(),
                "--convergence-url", "off"));
        try (Child mock = Child.start("mock", mockCmd, Map.of(), work.resolve("logs").resolve("mock.log"));
                Child kimi = Child.start("kimi", kimiCmd, Map.of(), work.resolve("logs").resolve("kimi.log"))) {
            mock.awaitHttp(URI.create("http://127.0.0.1:" + mockPort + "/health"), 60);
            URI base = URI.create("http://127.0.0.1:" + port);
            kimi.awaitHttp(base.resolve("/health"), 120);
            byte[] body = MockPayloads.request("bench", stream).getBytes(StandardCharsets.UTF_8);
            try (ThreadAllocations allocations = ThreadAllocations.attach(kimi.pid())) {
                System.out.printf("our server: %s; %s requests%s, %d connection(s), %d round(s) of %d after %d of"
                        + " warm-up%n", kimiJar, stream ? "streamed" : "plain", stream ? " (" + args.intOr("deltas",
                        16) + " deltas)" : "", concurrency, rounds, requests, warmup);
                send(base, body, warmup, concurrency);
                settle(base);
                List<Map<String, double[]>> perRound = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    boolean record = jfr != null && round == rounds;
                    if (record) {
                        jcmd(kimi.pid(), "JFR.start", "name=cost", "settings=profile");
                    }
                    Map<String, Double> cpu0 = ProcStats.threadCpuSeconds(kimi.pid());
                    Map<String, Long> alloc0 = allocations.byGroup();
                    long[] io0 = io(kimi.pid());
                    SyscallCount counting = syscalls ? SyscallCount.start(kimi.pid(), work) : null;
                    long t0 = System.nanoTime();
                    int errors = send(base, body, requests, concurrency);
                    settle(base);
                    double wall = (System.nanoTime() - t0) / 1e9;
                    Map<String, Double> cpu1 = ProcStats.threadCpuSeconds(kimi.pid());
                    Map<String, Long> alloc1 = allocations.byGroup();
                    long[] io1 = io(kimi.pid());
                    String calls = counting == null ? "" : "; syscalls per request: " + counting.stop(requests);
                    if (record) {
                        jcmd(kimi.pid(), "JFR.stop", "name=cost", "filename=" + Path.of(jfr).toAbsolutePath());
                    }
                    Map<String, double[]> figures = perRequest(cpu0, cpu1, alloc0, alloc1, requests);
                    perRound.add(figures);
                    System.out.printf("round %d: %.1f s, %d errors; %s; per request: %s%s%n", round, wall, errors,
                            total(figures), ioPerRequest(io0, io1, requests), calls);
                }
                print(perRound);
            }
        }
    }

    /** Sends {@code count} requests over {@code connections} keep-alive connections; returns the non-200 answers. */
    static int send(URI base, byte[] body, int count, int connections) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int share = count / connections + (c < count % connections ? 1 : 0);
                done.add(pool.submit(() -> {
                    try (RawHttpClient client = new RawHttpClient(base.getHost(), base.getPort())) {
                        int errors = 0;
                        for (int i = 0; i < share; i++) {
                            if (client.post("/v1/chat/completions", body) != 200) {
                                errors++;
                            }
                        }
                        return errors;
                    }
                }));
            }
            int errors = 0;
            for (Future<Integer> f : done) {
                errors += f.get(30, TimeUnit.MINUTES);
            }
            return errors;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A REST read that waits until everything accepted so far is recorded and committed (docs/proxy.md). */
    static void settle(URI base) throws IOException {
        HttpURLConnection c = (HttpURLConnection) base.resolve("/api/sessions/active").toURL().openConnection();
        c.setConnectTimeout(5_000);
        c.setReadTimeout(600_000);
        c.getResponseCode();
        c.getInputStream().readAllBytes();
        c.disconnect();
    }

    private static void jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid));
        cmd.addAll(Arrays.asList(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: " + out);
        }
    }

    private static final String[] IO_FIELDS = {"wchar", "syscw", "write_bytes"};

    /**
     * {@code /proc/<pid>/io}: bytes passed to write calls (sockets and files), write calls, and bytes the process
     * caused to be written to storage: work counts a loaded machine does not inflate.
     */
    private static long[] io(long pid) {
        long[] values = new long[IO_FIELDS.length];
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
                for (int i = 0; i < IO_FIELDS.length; i++) {
                    if (line.startsWith(IO_FIELDS[i] + ":")) {
                        values[i] = Long.parseLong(line.substring(IO_FIELDS[i].length() + 1).trim());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            Arrays.fill(values, -1);
        }
        return values;
    }

    private static String ioPerRequest(long[] before, long[] after, int requests) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < IO_FIELDS.length; i++) {
            b.append(i == 0 ? "" : ", ").append(IO_FIELDS[i]).append(' ')
                    .append(String.format("%.1f", (after[i] - before[i]) / (double) requests));
        }
        return b.toString();
    }

    /** Per thread group: {CPU µs per request, bytes allocated per request}. */
    private static Map<String, double[]> perRequest(Map<String, Double> cpu0, Map<String, Double> cpu1,
            Map<String, Long> alloc0, Map<String, Long> alloc1, int requests) {
        Map<String, double[]> figures = new TreeMap<>();
        TreeSet<String> names = new TreeSet<>(cpu1.keySet());
        names.addAll(alloc1.keySet());
        for (String name : names) {
            double cpu = cpu1.getOrDefault(name, 0.0) - cpu0.getOrDefault(name, 0.0);
            long alloc = alloc1.getOrDefault(name, 0L) - alloc0.getOrDefault(name, 0L);
            if (cpu > 0 || alloc > 0) {
                figures.put(group(name), add(figures.get(group(name)), cpu * 1e6 / requests,
                        (double) alloc / requests));
            }
        }
        return figures;
    }

    private static double[] add(double[] sum, double cpu, double alloc) {
        return sum == null ? new double[] {cpu, alloc} : new double[] {sum[0] + cpu, sum[1] + alloc};
    }

    /** Thread names as the kernel keeps them (15 characters) and as Java has them, mapped to one group name. */
    static String group(String thread) {
        String t = thread.replaceAll("[-#]?\\d+$", "").replaceAll("[-#]?\\d+$", "");
        if (t.startsWith("multiThreadIoEv") || t.startsWith("multiThreadIoEventLoopGroup")
                || t.startsWith("kimi-io") || t.startsWith("nioEventLoop")) {
            return "event loops";
        }
        if (t.startsWith("kimi-accounting")) {
            return "accounting";
        }
        if (t.startsWith("kimi-store-writ")) {
            return "SQLite writer";
        }
        if (t.startsWith("GC Thread") || t.startsWith("G1 ")) {
            return "GC";
        }
        if (t.startsWith("C2 CompilerThre") || t.startsWith("C1 CompilerThre") || t.startsWith("C2 Compiler")
                || t.startsWith("C1 Compiler")) {
            return "JIT";
        }
        if (t.startsWith("RMI ") || t.startsWith("JMX ") || t.startsWith("Attach Listener")) {
            return "(JMX, measurement)";
        }
        return "other: " + t;
    }

    private static String total(Map<String, double[]> figures) {
        double cpu = 0;
        double alloc = 0;
        for (Map.Entry<String, double[]> e : figures.entrySet()) {
            if (!e.getKey().startsWith("(")) {
                cpu += e.getValue()[0];
                alloc += e.getValue()[1];
            }
        }
        return String.format("total %.1f µs CPU and %,.0f bytes allocated per request", cpu, alloc);
    }

    /** The median over the rounds of each group's figures, biggest CPU first. */
    private static void print(List<Map<String, double[]>> rounds) {
        Map<String, double[]> median = new LinkedHashMap<>();
        TreeSet<String> names = new TreeSet<>();
        rounds.forEach(r -> names.addAll(r.keySet()));
        for (String name : names) {
            double[] cpu = rounds.stream().mapToDouble(r -> r.getOrDefault(name, new double[2])[0]).sorted()
                    .toArray();
            double[] alloc = rounds.stream().mapToDouble(r -> r.getOrDefault(name, new double[2])[1]).sorted()
                    .toArray();
            median.put(name, new double[] {cpu[cpu.length / 2], alloc[alloc.length / 2]});
        }
        System.out.println();
        System.out.println("| thread group | CPU µs per request (median) | bytes allocated per request (median) |");
        System.out.println("|---|---|---|");
        median.entrySet().stream()
                .filter(e -> e.getValue()[0] >= 0.05 || e.getValue()[1] >= 1)
                .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
                .forEach(e -> System.out.printf("| %s | %.1f | %,.0f |%n", e.getKey(), e.getValue()[0],
                        e.getValue()[1]));
        System.out.println("| **total** (measurement threads left out) | " + total(median)
                .replaceAll("total ([0-9.]+) µs CPU and ([0-9,]+) bytes.*", "$1 | $2 |"));
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}
