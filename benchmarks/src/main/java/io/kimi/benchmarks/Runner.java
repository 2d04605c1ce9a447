package io.kimi.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The whole benchmark: starts the mock and the peers, runs every lane with bounded time, then JMH, and writes
 * {@code results.json} (in the work directory, after every lane) and the report. {@code benchmarks/run.sh}
 * installs the tools and calls this; see {@code docs/benchmarks.md} for what each lane measures.
 *
 * <p>Options: {@code --repo DIR --work DIR --out FILE [--smoke] [--soak-seconds N] [--stream-levels 64,128]
 * [--ws-clients N] [--ws-rates 100,300,1000] [--lanes latency,throughput,streaming,large,fanout,soak,jmh]
 * [--peers nginx,portkey,kimi] [--portkey-dir DIR] [--kimi-jvm-flags "..."] [--nginx PATH] [--wrk PATH]
 * [--node PATH] [--mock-threads N] [--profile]}; {@code --report-only results.json} rewrites the report.
 */
public final class Runner {
    private Runner() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        Path repo = Path.of(args.str("repo", ".")).toAbsolutePath().normalize();
        Path out = Path.of(args.str("out", repo.resolve("docs/benchmarks.md").toString()));
        String reportOnly = args.str("report-only", null);
        if (reportOnly != null) {
            Report.write((ObjectNode) Json.read(Path.of(reportOnly)), out, repo);
            return;
        }
        Path work = Path.of(args.str("work", repo.resolve("benchmarks/target/bench-run").toString()));
        boolean smoke = args.flag("smoke");
        int soak = args.intOr("soak-seconds", smoke ? 3 : 600);
        Plan plan = smoke ? Plan.smoke(soak)
                : Plan.full(soak, ints(args.str("stream-levels", "64,128,256,512,1024")),
                        args.intOr("ws-clients", 1000), ints(args.str("ws-rates", "100,300,1000")));
        List<String> lanes = List.of(args.str("lanes", "latency,throughput,streaming,large,fanout,soak,jmh")
                .split(","));
        List<String> wanted = List.of(args.str("peers", "nginx,portkey,kimi").split(","));
        System.exit(run(args, repo, work, out, plan, lanes, wanted) ? 0 : 1);
    }

    private static boolean run(Args args, Path repo, Path work, Path out, Plan plan, List<String> lanes,
            List<String> wanted) throws IOException, InterruptedException {
        Files.createDirectories(work.resolve("logs"));
        Path results = work.resolve("results.json");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path benchJar = repo.resolve("benchmarks/target/benchmarks.jar");
        Path kimiJar = repo.resolve("kimi-api/target/kimi-api.jar");
        String portkeyDir = args.str("portkey-dir", null);
        List<String> jvmFlags = new ArrayList<>(List.of(args.str("kimi-jvm-flags", "").trim().split("\\s+")));
        jvmFlags.removeIf(String::isEmpty);
        if (args.flag("profile")) {
            jvmFlags.add("-XX:StartFlightRecording=filename=" + work.resolve("kimi.jfr") + ",settings=profile");
        }
        ObjectNode root = Load.object();
        ObjectNode run = root.putObject("run");
        run.put("mode", plan.smoke() ? "smoke" : "full");
        run.put("work", work.toAbsolutePath().normalize().toString());
        run.put("started", Instant.now().toString());
        run.put("load_before", Machine.loadAverage());
        run.set("plan", Json.read(Json.write(plan)));
        run.put("kimi_jvm_flags", String.join(" ", jvmFlags));
        root.set("machine", Machine.describe());
        ArrayNode notes = root.putArray("notes");
        boolean ok = true;
        Peers.Setup setup = new Peers.Setup(work, java, benchJar, kimiJar,
                portkeyDir == null ? null : Path.of(portkeyDir), jvmFlags, args.intOr("mock-threads", 1));
        try (Peers peers = new Peers(setup)) {
            peers.startMock();
            String nginx = args.str("nginx", "nginx");
            if (wanted.contains("nginx") && Machine.onPath(nginx)) {
                peers.startNginx(nginx);
            } else if (wanted.contains("nginx")) {
                notes.add("nginx not found: left out");
            }
            String node = args.str("node", "node");
            if (wanted.contains("portkey") && portkeyDir != null && Machine.onPath(node)) {
                peers.startPortkey(node);
            } else if (wanted.contains("portkey")) {
                notes.add("Portkey not installed (--portkey-dir) or node not found: left out");
            }
            if (wanted.contains("kimi")) {
                peers.startKimi();
            }
            root.set("versions", Machine.versions(args.str("nginx", "nginx"), args.str("wrk", "wrk"), node,
                    portkeyDir == null ? null : Path.of(portkeyDir)));
            Load load = new Load(work, java, benchJar, args.str("wrk", "wrk"), peers.get("direct").pid());
            Lanes lane = new Lanes(plan, peers, load, root);
            ok &= step("idle", notes, lane::idle);
            save(root, results);
            for (String name : List.of("latency", "throughput", "streaming", "large", "fanout")) {
                if (lanes.contains(name)) {
                    ok &= step("settle before " + name, notes, () -> lane.settle(name));
                    ok &= step(name, notes, switch (name) {
                        case "latency" -> lane::latency;
                        case "throughput" -> lane::throughput;
                        case "streaming" -> lane::streaming;
                        case "large" -> lane::large;
                        default -> lane::fanout;
                    });
                    save(root, results);
                }
            }
            if (lanes.contains("soak")) {
                peers.stop("portkey");
                peers.stop("nginx");
                ok &= step("settle before soak", notes, () -> lane.settle("soak"));
                ok &= step("soak", notes, () -> lane.soak(work));
            }
            ArrayNode commands = root.putArray("commands");
            peers.commands().forEach(commands::add);
            load.commands().forEach(commands::add);
            save(root, results);
        }
        if (lanes.contains("jmh")) {
            ok &= step("jmh", notes, () -> root.set("jmh", Jmh.run(java, benchJar, work, plan.jmhArgs())));
        }
        run.put("finished", Instant.now().toString());
        run.put("load_after", Machine.loadAverage());
        save(root, results);
        Report.write(root, out, repo);
        System.out.println("results: " + results + "\nreport: " + out);
        return ok;
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Runs one lane; a failure is noted in the report (with the exception) and the next lane still runs. */
    private static boolean step(String name, ArrayNode notes, Step step) {
        long t0 = System.nanoTime();
        System.out.println("lane " + name + "...");
        try {
            step.run();
            System.out.printf("lane %s done in %.0f s%n", name, (System.nanoTime() - t0) / 1e9);
            return true;
        } catch (Exception e) {
            e.printStackTrace();
            notes.add("lane " + name + " failed: " + e);
            return false;
        }
    }

    private static void save(JsonNode root, Path file) {
        try {
            Files.writeString(file, Json.write(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Integer> ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Integer::valueOf)
                .toList();
    }
}
