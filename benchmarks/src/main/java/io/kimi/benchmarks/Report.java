package io.kimi.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Writes {@code docs/benchmarks.md} from a run's {@code results.json}: the targets with what was measured, the
 * machine and versions, one table per lane with ours beside the peers as ratios from the same run, the JMH
 * figures and the commands. The hand-written part (profile, fixes, reading) comes from
 * {@code benchmarks/NOTES.md} and is included as is.
 */
final class Report {
    private static final List<String> ORDER = List.of("direct", "nginx", "portkey", "kimi");

    private final JsonNode r;
    private final StringBuilder md = new StringBuilder(16_384);

    private Report(JsonNode results) {
        this.r = results;
    }

    static void write(ObjectNode results, Path out, Path repo) {
        Report report = new Report(results);
        String text = report.render(repo.resolve("benchmarks/NOTES.md"));
        // Commands read the same on any machine: the repository as ".", the run's directory as $WORK.
        String work = results.path("run").path("work").asText("");
        if (!work.isEmpty()) {
            text = text.replace(work, "$WORK");
        }
        text = text.replace(repo.toAbsolutePath().normalize() + "/", "./");
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String render(Path notes) {
        JsonNode run = r.path("run");
        boolean smoke = run.path("mode").asText().equals("smoke");
        line("# Benchmarks: ours beside real peers");
        line();
        line("Written by `benchmarks/run.sh` (`Runner` in `benchmarks/`) from one run; every ratio compares figures "
                + "of that same run. Rerun it with `benchmarks/run.sh` (about 20 minutes, 10 of them the memory soak; "
                + "`SOAK_SECONDS` shortens it) or `benchmarks/run.sh --smoke` (every lane for a second or two, to "
                + "check the harness: its numbers mean nothing).");
        line();
        line("**This run:** " + run.path("mode").asText() + ", " + run.path("started").asText() + " to "
                + run.path("finished").asText() + "; load average (1/5/15 min) " + run.path("load_before").asText()
                + " before, " + run.path("load_after").asText() + " after. Soak: " + r.path("soak").path("seconds")
                .asText("not run") + " s.");
        if (smoke) {
            line();
            line("> Smoke run: durations of a second or two; the figures below only show that every lane works.");
        }
        if (r.has("drain_s")) {
            List<String> parts = new ArrayList<>();
            r.path("drain_s").properties().forEach(e -> parts.add(e.getKey() + " " + e.getValue().asText() + " s"));
            line();
            line("Before each lane the harness waits until our server has recorded everything it accepted (a REST "
                    + "read waits for the recording queue) and its CPU is quiet. Wait for the recording queue before: "
                    + String.join(", ", parts) + ".");
        }
        for (JsonNode note : r.path("notes")) {
            line();
            line("> " + note.asText());
        }
        line();
        targets();
        machine();
        latency();
        throughput();
        streaming();
        large();
        memory();
        fanout();
        jmh();
        notes(notes);
        commands();
        return md.toString();
    }

    // ---- targets ------------------------------------------------------------------------------------------------

    private void targets() {
        line("## Targets");
        line();
        line("| target (issue #17) | measured in this run | met |");
        line("|---|---|---|");
        Map<String, Double> p99 = medianBy(r.path("latency"), "p99_us");
        Double kimiAdded = added(p99, "kimi");
        Double nginxAdded = added(p99, "nginx");
        if (kimiAdded != null) {
            String ratio = nginxAdded == null ? "no nginx" : nginxAdded <= 0 ? "nginx's: " + us(nginxAdded)
                    + "; p99 " + us(p99.get("kimi")) + " vs nginx's " + us(p99.get("nginx"))
                    : ratio(kimiAdded, nginxAdded) + "× nginx's " + us(nginxAdded);
            // When nginx's p99 is below direct's (noise on a shared machine), compare the p99s themselves.
            boolean met = kimiAdded < 300 && (nginxAdded == null || (nginxAdded > 0 ? kimiAdded <= 1.5 * nginxAdded
                    : p99.get("kimi") <= 1.5 * p99.get("nginx")));
            line("| added p99 at concurrency 1 ≤ 1.5× nginx's and < 0.3 ms | " + us(kimiAdded) + " (" + ratio + ") | "
                    + yes(met) + " |");
        }
        JsonNode kimi64 = headline("kimi");
        JsonNode nginx64 = headline("nginx");
        JsonNode portkey64 = headline("portkey");
        if (kimi64 != null) {
            double k = kimi64.path("rps").asDouble();
            String vsNginx = nginx64 == null ? "—" : pct(k / nginx64.path("rps").asDouble()) + " of nginx";
            String vsPortkey = portkey64 == null ? "—" : ratio(k, portkey64.path("rps").asDouble()) + "× Portkey";
            boolean met = (nginx64 == null || k >= 0.7 * nginx64.path("rps").asDouble())
                    && (portkey64 == null || k >= 20 * portkey64.path("rps").asDouble());
            line("| throughput at concurrency " + kimi64.path("connections").asInt() + " ≥ 70 % of nginx and ≥ 20× "
                    + "Portkey | " + num(k) + " req/s (" + vsNginx + ", " + vsPortkey + ") | " + yes(met) + " |");
            if (kimi64.has("peer_cpu_us_per_request")) {
                double cpu = kimi64.path("peer_cpu_us_per_request").asDouble();
                line("| CPU per proxied request, all threads, ≤ 50 µs (every request recorded) | " + us(cpu)
                        + " at concurrency " + kimi64.path("connections").asInt()
                        + (kimi64.has("thread_cpu_s") ? ": " + threadBreakdown(kimi64) : "") + " | "
                        + yes(cpu <= 50) + " |");
            }
        }
        JsonNode s512 = streamRow("kimi", 512);
        int best = largestWithoutStall("kimi");
        if (best > 0 || s512 != null) {
            Double addedTtft = s512 == null ? null : addedStream(512, "kimi", "ttft_p99_us");
            line("| 1024 concurrent streams without a stall; added TTFT p99 < 1 ms at 512 | largest level without a "
                    + "stall: " + (best > 0 ? best : "none")
                    + (addedTtft == null ? "" : "; added TTFT p99 at 512: " + us(addedTtft))
                    + " | " + yes(best >= 1024 && addedTtft != null && addedTtft < 1000) + " |");
        }
        JsonNode jmhRow = jmhRow("TokenCountingBenchmark.memoisedOneNewMessage");
        if (jmhRow != null) {
            double micros = toMicros(jmhRow);
            line("| one new message in a " + jmhRow.path("params").path("conversationTokens").asText()
                    + "-token conversation counted < 1 ms | " + us(micros) + " | " + yes(micros < 1000) + " |");
        }
        List<JsonNode> fanout = new ArrayList<>();
        r.path("fanout").forEach(n -> {
            if (!n.path("server_side").asBoolean()) {
                fanout.add(n);
            }
        });
        if (!fanout.isEmpty()) {
            JsonNode f = fanout.get(fanout.size() - 1);
            double p = f.path("latency_p99_us").asDouble();
            boolean complete = f.path("messages_received").asLong() >= 0.99 * f.path("messages_expected").asLong()
                    && f.path("messages_expected").asLong() > 0;
            int kept = 0;
            for (JsonNode n : fanout) {
                if (n.path("latency_p99_us").asDouble() < 50_000 && n.path("messages_received").asDouble()
                        >= 0.99 * n.path("messages_expected").asDouble()) {
                    kept = Math.max(kept, n.path("rate").asInt());
                }
            }
            line("| WebSocket fan-out at 1,000 clients × 1,000 events/s: ≥ 99 % delivered, p99 < 50 ms | at " + f.path("connected").asInt()
                    + " clients × " + num(f.path("events_per_s").asDouble()) + " events/s: p99 " + ms(p) + ", "
                    + pct(f.path("messages_received").asDouble() / Math.max(1, f.path("messages_expected").asDouble()))
                    + " delivered; highest rate kept (p99 < 50 ms, ≥ 99 % delivered): "
                    + (kept > 0 ? num((double) kept) + " events/s" : "none") + " | "
                    + yes(p < 50_000 && complete && f.path("clients").asInt() >= 1000 && f.path("rate").asInt() >= 1000)
                    + " |");
        }
        JsonNode soak = r.path("soak");
        if (soak.has("end_over_warm")) {
            double ratio = soak.path("end_over_warm").asDouble();
            line("| RSS after the 10-minute soak within 10 % of its level after warm-up | " + mib(soak.path(
                    "rss_warm_kib").asLong()) + " after warm-up → " + mib(soak.path("rss_end_kib").asLong())
                    + " at the end (" + signedPct(ratio - 1) + ") over " + soak.path("seconds").asInt() + " s | "
                    + yes(Math.abs(ratio - 1) <= 0.10 && soak.path("seconds").asInt() >= 600) + " |");
        }
        line();
        line("\"no\" in a row whose figure is within the target means the run was too short or too small to "
                + "claim it (smoke, shortened soak, fewer clients).");
        line();
    }

    // ---- machine ------------------------------------------------------------------------------------------------

    private void machine() {
        line("## Machine and versions");
        line();
        JsonNode m = r.path("machine");
        JsonNode v = r.path("versions");
        line("| | |");
        line("|---|---|");
        row("cores (nproc)", m.path("nproc").asText());
        row("CPU", m.path("cpu_model").asText());
        row("RAM", m.path("ram").asText());
        row("kernel", m.path("kernel").asText());
        row("JDK", m.path("jdk").asText());
        row("our JVM flags", "`" + r.path("run").path("kimi_jvm_flags").asText() + "`");
        row("nginx", v.path("nginx").asText("—"));
        row("Portkey gateway", v.has("portkey") ? "@portkey-ai/gateway " + v.path("portkey").asText()
                + " (with @hono/node-server " + v.path("hono_node_server").asText() + "), node "
                + v.path("node").asText() : "—");
        row("wrk", v.path("wrk").asText("—"));
        row("Netty / JMH / HdrHistogram", v.path("netty").asText() + " / " + v.path("jmh").asText() + " / "
                + v.path("hdrhistogram").asText());
        line();
        line("Everything runs on this one machine over loopback: the mock upstream (Netty, 1 event-loop thread, its "
                + "own JVM), the peer under test, and the load generator (wrk with one thread, or the Java stream "
                + "and WebSocket clients), all sharing the same cores. nginx runs one worker per core (`worker_processes "
                + "auto`), ours its default `io_threads = 0` (one event loop per core), "
                + "Portkey one Node.js process.");
        line();
    }

    // ---- lane 1 -------------------------------------------------------------------------------------------------

    private void latency() {
        JsonNode rows = r.path("latency");
        if (rows.isEmpty()) {
            return;
        }
        line("## Lane 1: added latency at concurrency 1");
        line();
        line("One connection, zero-delay mock, ~1 KB request, ~4 KB reply; " + rounds(rows) + " round(s) of "
                + r.path("run").path("plan").path("latencySeconds").asInt() + " s per peer, peers interleaved, each "
                + "after a warm-up; the median of the rounds. Added = the peer's percentile minus direct's (same "
                + "round).");
        line();
        Map<String, Double> p50 = medianBy(rows, "p50_us");
        Map<String, Double> p90 = medianBy(rows, "p90_us");
        Map<String, Double> p99 = medianBy(rows, "p99_us");
        Map<String, Double> p999 = medianBy(rows, "p999_us");
        Map<String, Double> rps = medianBy(rows, "rps");
        Map<String, Double> cpu = medianBy(rows, "peer_cpu_us_per_request");
        line("| peer | p50 | p90 | p99 | p99.9 | added p50 | added p99 | added p99 vs nginx | req/s | CPU per request |");
        line("|---|---|---|---|---|---|---|---|---|---|");
        Double nginxAdded = added(p99, "nginx");
        for (String peer : peers(p99)) {
            Double a50 = added(p50, peer);
            Double a99 = added(p99, peer);
            line("| " + label(peer) + " | " + us(p50.get(peer)) + " | " + us(p90.get(peer)) + " | " + us(p99.get(peer))
                    + " | " + us(p999.get(peer)) + " | " + (peer.equals("direct") ? "—" : us(a50)) + " | "
                    + (peer.equals("direct") ? "—" : us(a99)) + " | "
                    + (peer.equals("direct") || nginxAdded == null || a99 == null || nginxAdded <= 0 ? "—"
                            : ratio(a99, nginxAdded) + "×")
                    + " | " + num(rps.get(peer)) + " | " + us(cpu.get(peer)) + " |");
        }
        line();
        line("CPU per request: CPU time of the peer's processes during the run over the requests served (for "
                + "direct, the mock's own cost).");
        line();
        JsonNode ours = null;
        for (JsonNode n : rows) {
            if (n.path("peer").asText().equals("kimi") && n.has("thread_cpu_s")) {
                ours = n;
            }
        }
        if (ours != null) {
            line("Where our CPU goes at concurrency 1 (last round), per request, by thread: " + threadBreakdown(ours)
                    + ".");
            line();
        }
    }

    // ---- lane 2 -------------------------------------------------------------------------------------------------

    private void throughput() {
        JsonNode rows = r.path("throughput");
        if (rows.isEmpty()) {
            return;
        }
        int top = r.path("run").path("plan").path("sweep").path(r.path("run").path("plan").path("sweep").size() - 1)
                .asInt(64);
        line("## Lane 2: throughput");
        line();
        line("`wrk -t1 -c" + top + "` for " + r.path("run").path("plan").path("throughputSeconds").asInt()
                + " s per peer, zero-delay mock (pure overhead), then the same with the mock's fixed 20 ms delay "
                + "(concurrency, not CPU, is the limit there: the ceiling is " + top + " / 20 ms = "
                + num(top / 0.020) + " req/s).");
        line();
        line("| peer | mode | req/s | vs nginx | vs Portkey | p50 | p90 | p99 | errors | CPU per request | mock CPU |");
        line("|---|---|---|---|---|---|---|---|---|---|---|");
        for (String mode : List.of("zero", "delay")) {
            JsonNode nginx = find(rows, n -> n.path("peer").asText().equals("nginx")
                    && n.path("connections").asInt() == top && n.path("mode").asText().equals(mode));
            JsonNode portkey = find(rows, n -> n.path("peer").asText().equals("portkey")
                    && n.path("connections").asInt() == top && n.path("mode").asText().equals(mode));
            for (JsonNode n : sorted(rows, x -> x.path("connections").asInt() == top
                    && x.path("mode").asText().equals(mode))) {
                double rps = n.path("rps").asDouble();
                line("| " + label(n.path("peer").asText()) + " | " + (mode.equals("zero") ? "zero delay" : "20 ms")
                        + " | " + num(rps) + " | " + (nginx == null ? "—" : ratio(rps, nginx.path("rps").asDouble()))
                        + " | " + (portkey == null ? "—" : ratio(rps, portkey.path("rps").asDouble())) + " | "
                        + us(n.path("p50_us").asDouble()) + " | " + us(n.path("p90_us").asDouble()) + " | "
                        + us(n.path("p99_us").asDouble()) + " | " + n.path("errors").asLong() + " | "
                        + us(n.path("peer_cpu_us_per_request").asDouble()) + " | "
                        + pct(n.path("mock_cpu_percent").asDouble() / 100) + " |");
            }
        }
        line();
        double bound = r.path("run").path("plan").path("p99BoundMs").asDouble(5);
        if (r.path("run").path("plan").path("sweep").size() > 1) {
            line("Concurrency sweep (zero delay): req/s (p99). **Throughput at p99 ≤ " + bound + " ms** is the best "
                    + "req/s among the concurrencies whose p99 stayed within the bound.");
            line();
            List<Integer> sweep = new ArrayList<>();
            r.path("run").path("plan").path("sweep").forEach(c -> sweep.add(c.asInt()));
            StringBuilder head = new StringBuilder("| peer |");
            StringBuilder sep = new StringBuilder("|---|");
            for (int c : sweep) {
                head.append(" c=").append(c).append(" |");
                sep.append("---|");
            }
            line(head + " at p99 ≤ " + bound + " ms |");
            line(sep + "---|");
            for (String peer : ORDER) {
                StringBuilder b = new StringBuilder("| " + label(peer) + " |");
                double best = -1;
                boolean any = false;
                for (int c : sweep) {
                    JsonNode n = find(rows, x -> x.path("peer").asText().equals(peer)
                            && x.path("connections").asInt() == c && x.path("mode").asText().equals("zero"));
                    if (n == null) {
                        b.append(" — |");
                        continue;
                    }
                    any = true;
                    b.append(' ').append(num(n.path("rps").asDouble())).append(" (").append(
                            ms(n.path("p99_us").asDouble())).append(") |");
                    if (n.path("p99_us").asDouble() <= bound * 1000 && n.path("errors").asLong() == 0) {
                        best = Math.max(best, n.path("rps").asDouble());
                    }
                }
                if (any) {
                    line(b + " " + (best < 0 ? "none" : num(best)) + " |");
                }
            }
            line();
        }
        line("Mock CPU: the mock's CPU during the run, as a share of one core; it stays far from a full core, and "
                + "direct's req/s (mock alone) is the ceiling the peers are measured under.");
        line();
        JsonNode ours = headline("kimi");
        if (ours != null && ours.has("thread_cpu_s")) {
            line("Where our CPU goes (c=" + ours.path("connections").asInt() + ", zero delay), per request, by "
                    + "thread (from `/proc/<pid>/task/*/stat`): " + threadBreakdown(ours) + ".");
            line();
        }
    }

    /** "event loops 60 µs, accounting 40 µs, ..." from a run's per-thread CPU seconds. */
    private static String threadBreakdown(JsonNode run) {
        double requests = Math.max(1, run.path("requests").asDouble());
        List<Map.Entry<String, Double>> groups = new ArrayList<>();
        run.path("thread_cpu_s").properties().forEach(e -> groups.add(Map.entry(e.getKey(),
                e.getValue().asDouble())));
        groups.sort(Map.Entry.<String, Double>comparingByValue().reversed());
        List<String> parts = new ArrayList<>();
        double total = 0;
        double rest = 0;
        for (int i = 0; i < groups.size(); i++) {
            double micros = groups.get(i).getValue() * 1e6 / requests;
            total += micros;
            if (i < 7) {
                parts.add(threadLabel(groups.get(i).getKey()) + " " + String.format(Locale.ROOT, "%.0f µs", micros));
            } else {
                rest += micros;
            }
        }
        if (rest > 0) {
            parts.add(String.format(Locale.ROOT, "other %.0f µs", rest));
        }
        return String.join(", ", parts) + String.format(Locale.ROOT, " (total %.0f µs)", total);
    }

    private static String threadLabel(String kernelName) {
        return switch (kernelName) {
            case "multiThreadIoEv" -> "event loops";
            case "kimi-accounting" -> "accounting";
            case "kimi-store-writ" -> "SQLite writer";
            case "GC Thread" -> "GC";
            case "C2 CompilerThre", "C1 CompilerThre" -> "JIT (" + kernelName.substring(0, 2) + ")";
            default -> "`" + kernelName + "`";
        };
    }

    // ---- lane 3 -------------------------------------------------------------------------------------------------

    private void streaming() {
        JsonNode rows = r.path("streaming");
        if (rows.isEmpty()) {
            return;
        }
        line("## Lane 3: streaming");
        line();
        line("N connections each run one streamed completion after another (64 deltas 20 ms apart, then the usage "
                + "chunk and `[DONE]`), starts spread over one stream's length; measured for "
                + r.path("run").path("plan").path("streamSeconds").asDouble() + " s after a "
                + r.path("run").path("plan").path("streamWarmupSeconds").asDouble() + " s warm-up; before its first "
                + "level each peer is warmed up in rounds of " + num(Lanes.STREAM_WARMUP_ROUND_S) + " s until its JIT "
                + "compiler threads use under " + pct(Load.JIT_SETTLED) + " of a core in a round (at most "
                + num(Lanes.STREAM_WARMUP_MAX_S) + " s; one round for a peer without a JVM JIT): "
                + warmUps() + ". TTFT: request "
                + "written → first delta read. Gap: between two deltas as read (the mock paces 20 ms). A **stall** is "
                + "a gap over 100 ms, an error, or a stream that did not finish; a peer is not tried at higher N after "
                + "a stall. Added = the peer's figure minus direct's at the same N.");
        line();
        line("| N | peer | streams done | TTFT p50 | TTFT p99 | added TTFT p99 | gap p50 | gap p99 | added gap p99 | "
                + "max gap | stalls / errors | peer CPU |");
        line("|---|---|---|---|---|---|---|---|---|---|---|---|");
        List<JsonNode> list = new ArrayList<>();
        rows.forEach(list::add);
        list.sort(Comparator.comparingInt((JsonNode n) -> n.path("streams").asInt())
                .thenComparingInt(n -> ORDER.indexOf(n.path("peer").asText())));
        for (JsonNode n : list) {
            int streams = n.path("streams").asInt();
            String peer = n.path("peer").asText();
            Double aT = peer.equals("direct") ? null : addedStream(streams, peer, "ttft_p99_us");
            Double aG = peer.equals("direct") ? null : addedStream(streams, peer, "gap_p99_us");
            line("| " + streams + " | " + label(peer) + " | " + n.path("completed").asLong() + " | "
                    + ms(n.path("ttft_p50_us").asDouble()) + " | " + ms(n.path("ttft_p99_us").asDouble()) + " | "
                    + (aT == null ? "—" : ms(aT)) + " | " + ms(n.path("gap_p50_us").asDouble()) + " | "
                    + ms(n.path("gap_p99_us").asDouble()) + " | " + (aG == null ? "—" : ms(aG)) + " | "
                    + ms(n.path("gap_max_us").asDouble()) + " | " + n.path("stalls").asLong() + " / "
                    + (n.path("errors").asLong() + n.path("incomplete").asLong())
                    + (n.has("first_error") ? " (" + n.path("first_error").asText().replace("|", "/") + ")" : "")
                    + " | " + pct(n.path("peer_cpu_percent").asDouble() / 100) + " |");
        }
        line();
        StringBuilder b = new StringBuilder("Largest N without a stall: ");
        List<String> parts = new ArrayList<>();
        for (String peer : ORDER) {
            if (list.stream().anyMatch(n -> n.path("peer").asText().equals(peer))) {
                int best = largestWithoutStall(peer);
                parts.add(label(peer) + " " + (best > 0 ? best : "none"));
            }
        }
        line(b.append(String.join(", ", parts)).append('.').toString());
        line();
    }

    // ---- lane 4 -------------------------------------------------------------------------------------------------

    private void large() {
        JsonNode rows = r.path("large");
        if (rows.size() == 0) {
            return;
        }
        line("## Large replies");
        line();
        line("One request at a time for a reply of several MiB (the mock's `bench-<n>m` models), timed from sending "
                + "the request to the reply's last byte, read and discarded by the client (Java's HttpClient); "
                + "median of " + r.path("run").path("plan").path("largeReps").asInt() + " requests after one "
                + "untimed. Non-streamed JSON replies of each size, then a stream whose content is one event of the "
                + "largest size. Between two requests to ours, a REST read waits until ours has recorded the previous "
                + "one (the wait, parsing and counting the reply, is the last column, not part of the time).");
        line();
        List<String> peers = new ArrayList<>();
        for (String p : ORDER) {
            if (find(rows, n -> n.path("peer").asText().equals(p)) != null) {
                peers.add(p);
            }
        }
        StringBuilder head = new StringBuilder("| reply |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String p : peers) {
            head.append(' ').append(label(p)).append(" |");
            rule.append("---|");
        }
        line(head + " ours ÷ direct | ours CPU per reply | ours recording it |");
        line(rule + "---|---|---|");
        for (JsonNode direct : sorted(rows, n -> n.path("peer").asText().equals("direct"))) {
            int mib = direct.path("mib").asInt();
            boolean stream = direct.path("stream").asBoolean();
            StringBuilder row = new StringBuilder("| " + mib + " MiB " + (stream ? "as one SSE event" : "JSON") + " |");
            for (String p : peers) {
                JsonNode n = find(rows, x -> x.path("peer").asText().equals(p) && x.path("mib").asInt() == mib
                        && x.path("stream").asBoolean() == stream);
                row.append(' ').append(n == null ? "" : n.has("median_s") ? seconds(n.path("median_s").asDouble())
                        : "failed: " + n.path("error").asText()).append(" |");
            }
            JsonNode kimi = find(rows, x -> x.path("peer").asText().equals("kimi") && x.path("mib").asInt() == mib
                    && x.path("stream").asBoolean() == stream);
            boolean both = kimi != null && kimi.has("median_s") && direct.has("median_s");
            List<Double> recorded = new ArrayList<>();
            if (kimi != null) {
                kimi.path("record_s").forEach(v -> recorded.add(v.asDouble()));
            }
            row.append(' ').append(both ? ratio(kimi.path("median_s").asDouble(), direct.path("median_s").asDouble())
                    : "").append(" | ")
                    .append(kimi != null && kimi.has("peer_cpu_s_per_request")
                            ? seconds(kimi.path("peer_cpu_s_per_request").asDouble()) : "").append(" | ")
                    .append(recorded.isEmpty() ? "" : seconds(median(recorded))).append(" |");
            line(row.toString());
        }
        line();
    }

    private static String seconds(double s) {
        return s >= 1 ? String.format(Locale.ROOT, "%.2f s", s) : String.format(Locale.ROOT, "%.0f ms", s * 1000);
    }

    private void memory() {
        JsonNode idle = r.path("idle_rss_kib");
        JsonNode soak = r.path("soak");
        if (idle.isMissingNode() && soak.isMissingNode()) {
            return;
        }
        line("## Lane 4: memory");
        line();
        if (!idle.isMissingNode()) {
            line("Idle RSS right after start, before any traffic (nginx: master and workers):");
            line();
            line("| peer | idle RSS |");
            line("|---|---|");
            idle.fieldNames().forEachRemaining(p -> line("| " + label(p) + " | " + mib(idle.path(p).asLong()) + " |"));
            line();
        }
        if (soak.has("samples")) {
            line("Soak (ours): " + soak.path("seconds").asInt() + " s of steady load — plain requests with the "
                    + "20 ms delay at concurrency 8 (" + num(soak.path("plain").path("rps").asDouble()) + " req/s) and "
                    + "32 concurrent streams (" + num(soak.path("streams").path("streams_per_s").asDouble())
                    + " streams/s) — after all other lanes; RSS sampled every "
                    + r.path("run").path("plan").path("soakSampleSeconds").asInt() + " s.");
            line();
            line("| before soak | after warm-up (" + soak.path("rss_warm_at_s").asDouble() + " s) | max | end of load | "
                    + "15 s after load | end / warm-up | CPU during soak |");
            line("|---|---|---|---|---|---|---|");
            line("| " + mib(soak.path("rss_before_kib").asLong()) + " | " + mib(soak.path("rss_warm_kib").asLong())
                    + " | " + mib(soak.path("rss_max_kib").asLong()) + " | " + mib(soak.path("rss_end_kib").asLong())
                    + " | " + mib(soak.path("rss_after_kib").asLong()) + " | "
                    + signedPct(soak.path("end_over_warm").asDouble() - 1) + " | "
                    + pct(soak.path("cpu_percent").asDouble() / 100) + " |");
            line();
            List<String> points = new ArrayList<>();
            JsonNode samples = soak.path("samples");
            int step = Math.max(1, samples.size() / 12);
            for (int i = 0; i < samples.size(); i += step) {
                points.add(samples.get(i).path("t_s").asInt() + " s: " + mib(samples.get(i).path("rss_kib").asLong()));
            }
            line("RSS over the soak: " + String.join(", ", points) + ".");
            line();
            if (soak.has("error")) {
                line("> soak load error: " + soak.path("error").asText());
                line();
            }
        }
    }

    /** The streaming warm-up of each peer, in words: rounds, seconds, and whether its JIT settled. */
    private String warmUps() {
        List<String> parts = new ArrayList<>();
        r.path("streaming_warmup").fields().forEachRemaining(e -> parts.add(e.getKey() + " "
                + e.getValue().path("rounds").asInt() + " round(s), " + e.getValue().path("seconds").asDouble()
                + " s" + (e.getValue().path("settled").asBoolean() ? "" : ", JIT still busy")));
        return parts.isEmpty() ? "none in this run" : String.join("; ", parts);
    }

    // ---- fan-out ------------------------------------------------------------------------------------------------

    private void fanout() {
        JsonNode rows = r.path("fanout");
        if (rows.size() == 0) {
            return;
        }
        JsonNode first = rows.get(0);
        line("## WebSocket fan-out");
        line();
        line(first.path("connected").asInt() + " of " + first.path("clients").asInt() + " clients connected to `/ws` (all of them "
                + "holding their `init` message after " + first.path("ready_s").asDouble() + " s; only then are "
                + "events posted); "
                + "events posted to `POST /api/events` in batches (a batch every 20 ms) at rising rates, each event "
                + "pushed to every client, so the server sends clients × rate messages per second; measured for "
                + r.path("run").path("plan").path("wsSeconds").asDouble() + " s per rate after a warm-up, stopping "
                + "after the first rate that misses p99 < 50 ms or 99 % delivery. Delivery latency = the client's "
                + "receive time − the publisher's send time (same process, same clock): ingest, storage, hub and "
                + "push. The clients run on the same 2 cores as the server, on one thread: each reads the frames "
                + "straight from its socket buffer (no frame objects) and takes the latency from the `bench_t` "
                + "stamp in each event; at most 32 posts are in flight, so a server that ingests slower than the "
                + "rate shows as fewer events/s. The last row (*server side*) repeats the top rate with "
                + "fewer clients: a million messages a second is more than 1,000 clients can read on these 2 "
                + "cores beside the server (issue 17's fallback). Server CPU per message = the server's CPU in the "
                + "window / messages delivered.");
        line();
        line("| clients | events/s | messages/s asked | delivered | p50 | p90 | p99 | max | closed as too slow | "
                + "server CPU | server CPU per message | client CPU |");
        line("|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (JsonNode f : rows) {
            line("| " + f.path("connected").asInt() + (f.path("server_side").asBoolean() ? " (*server side*)" : "")
                    + " | " + num(f.path("events_per_s").asDouble()) + " | "
                    + num(f.path("events_per_s").asDouble() * f.path("connected").asDouble()) + " | "
                    + pct(f.path("messages_received").asDouble() / Math.max(1, f.path("messages_expected").asDouble()))
                    + " (" + num(f.path("messages_per_s").asDouble()) + "/s) | "
                    + ms(f.path("latency_p50_us").asDouble()) + " | " + ms(f.path("latency_p90_us").asDouble()) + " | "
                    + ms(f.path("latency_p99_us").asDouble()) + " | " + ms(f.path("latency_max_us").asDouble()) + " | "
                    + f.path("closed_by_server").asLong() + " | "
                    + pct(f.path("server_cpu_percent").asDouble() / 100) + " | "
                    + (f.path("server_cpu_us_per_message").asDouble() > 0
                            ? num(f.path("server_cpu_us_per_message").asDouble()) + " µs" : "–") + " | "
                    + pct(f.path("client_cpu_percent").asDouble() / 100) + " |");
        }
        for (JsonNode f : rows) {
            if (f.has("first_error")) {
                line();
                line("> at " + f.path("rate").asInt() + " events/s, first problem seen: " + f.path("first_error").asText());
            }
        }
        line();
    }

    // ---- JMH ----------------------------------------------------------------------------------------------------

    private void jmh() {
        JsonNode rows = r.path("jmh").path("rows");
        if (rows.isEmpty()) {
            return;
        }
        line("## Micro-benchmarks (JMH)");
        line();
        line("| benchmark | params | score | ± | unit |");
        line("|---|---|---|---|---|");
        for (JsonNode n : rows) {
            List<String> params = new ArrayList<>();
            n.path("params").properties().forEach(e -> params.add(e.getKey() + "=" + e.getValue().asText()));
            line("| " + n.path("benchmark").asText() + " | " + String.join(", ", params) + " | "
                    + fmt(n.path("score").asDouble()) + " | " + fmt(n.path("error").asDouble()) + " | "
                    + n.path("unit").asText() + " |");
        }
        line();
        line("`TokenCountingBenchmark`: prompt counting on a long IDE-agent conversation (`memoisedOneNewMessage` is "
                + "the proxy's case at every turn). `SseRelayBenchmark`: per SSE chunk on the event loop (framing + "
                + "usage check), the usage chunk's JSON check, and the accounting thread's transcript parse per chunk. "
                + "`ChatRequestBenchmark`: parse, check, count, rewrite and serialise a request, as "
                + "`ChatCompletions.prepare` does. `EventAppendBenchmark`: events/s into SQLite through the store's "
                + "batching writer.");
        line();
    }

    // ---- notes and commands ---------------------------------------------------------------------------------------

    private void notes(Path notes) {
        if (!Files.exists(notes)) {
            return;
        }
        try {
            md.append(Files.readString(notes).trim()).append("\n\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void commands() {
        line("## Commands of this run");
        line();
        line("```");
        for (JsonNode c : r.path("commands")) {
            line(c.asText());
        }
        if (r.path("jmh").has("command")) {
            line("jmh: " + r.path("jmh").path("command").asText());
        }
        line("```");
        line();
        line("Raw figures: `results.json` in the run's work directory (`benchmarks/target/bench-run/` by default).");
    }

    // ---- figures --------------------------------------------------------------------------------------------------

    private Map<String, Double> medianBy(JsonNode rows, String field) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (JsonNode n : rows) {
            values.computeIfAbsent(n.path("peer").asText(), k -> new ArrayList<>()).add(n.path(field).asDouble());
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        values.forEach((k, v) -> medians.put(k, median(v)));
        if (field.endsWith("_us") && values.containsKey("direct")) {
            // Added figures are per-round differences: keep them for added().
            Map<String, List<Double>> diffs = new LinkedHashMap<>();
            for (JsonNode n : rows) {
                JsonNode direct = find(rows, d -> d.path("peer").asText().equals("direct")
                        && d.path("round").asInt() == n.path("round").asInt());
                if (direct != null && !n.path("peer").asText().equals("direct")) {
                    diffs.computeIfAbsent(n.path("peer").asText(), k -> new ArrayList<>())
                            .add(n.path(field).asDouble() - direct.path(field).asDouble());
                }
            }
            diffs.forEach((k, v) -> medians.put("+" + k, median(v)));
        }
        return medians;
    }

    private static Double added(Map<String, Double> medians, String peer) {
        Double d = medians.get("+" + peer);
        if (d != null) {
            return d;
        }
        Double p = medians.get(peer);
        Double direct = medians.get("direct");
        return p == null || direct == null ? null : p - direct;
    }

    private JsonNode headline(String peer) {
        JsonNode sweep = r.path("run").path("plan").path("sweep");
        int top = sweep.path(sweep.size() - 1).asInt(64);
        return find(r.path("throughput"), n -> n.path("peer").asText().equals(peer)
                && n.path("connections").asInt() == top && n.path("mode").asText().equals("zero"));
    }

    private JsonNode streamRow(String peer, int streams) {
        return find(r.path("streaming"), n -> n.path("peer").asText().equals(peer)
                && n.path("streams").asInt() == streams);
    }

    private Double addedStream(int streams, String peer, String field) {
        JsonNode p = streamRow(peer, streams);
        JsonNode d = streamRow("direct", streams);
        return p == null || d == null ? null : p.path(field).asDouble() - d.path(field).asDouble();
    }

    private int largestWithoutStall(String peer) {
        int best = 0;
        for (JsonNode n : r.path("streaming")) {
            if (n.path("peer").asText().equals(peer) && !n.path("stall").asBoolean(true)) {
                best = Math.max(best, n.path("streams").asInt());
            }
        }
        return best;
    }

    private JsonNode jmhRow(String benchmark) {
        return find(r.path("jmh").path("rows"), n -> n.path("benchmark").asText().equals(benchmark));
    }

    private static double toMicros(JsonNode jmh) {
        double s = jmh.path("score").asDouble();
        return switch (jmh.path("unit").asText()) {
            case "ns/op" -> s / 1000;
            case "ms/op" -> s * 1000;
            case "s/op" -> s * 1e6;
            default -> s;
        };
    }

    private static int rounds(JsonNode rows) {
        int max = 0;
        for (JsonNode n : rows) {
            max = Math.max(max, n.path("round").asInt());
        }
        return max;
    }

    private static List<String> peers(Map<String, Double> medians) {
        List<String> list = new ArrayList<>();
        for (String p : ORDER) {
            if (medians.containsKey(p)) {
                list.add(p);
            }
        }
        return list;
    }

    private static List<JsonNode> sorted(JsonNode rows, Predicate<JsonNode> filter) {
        List<JsonNode> list = new ArrayList<>();
        rows.forEach(n -> {
            if (filter.test(n)) {
                list.add(n);
            }
        });
        list.sort(Comparator.comparingInt(n -> ORDER.indexOf(n.path("peer").asText())));
        return list;
    }

    private static JsonNode find(JsonNode rows, Predicate<JsonNode> filter) {
        for (JsonNode n : rows) {
            if (filter.test(n)) {
                return n;
            }
        }
        return null;
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String label(String peer) {
        return switch (peer) {
            case "direct" -> "direct (floor)";
            case "nginx" -> "nginx";
            case "portkey" -> "Portkey";
            case "kimi" -> "**ours**";
            default -> peer;
        };
    }

    private static String us(Double micros) {
        if (micros == null || micros.isNaN()) {
            return "—";
        }
        return Math.abs(micros) >= 10_000 ? ms(micros) : String.format(Locale.ROOT, "%.0f µs", micros);
    }

    private static String ms(double micros) {
        return String.format(Locale.ROOT, "%.2f ms", micros / 1000);
    }

    private static String mib(long kib) {
        return kib < 0 ? "—" : String.format(Locale.ROOT, "%.0f MiB", kib / 1024.0);
    }

    private static String num(Double v) {
        return v == null || v.isNaN() ? "—" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String fmt(double v) {
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String ratio(double a, double b) {
        return b == 0 ? "—" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * fraction);
    }

    private static String signedPct(double fraction) {
        return String.format(Locale.ROOT, "%+.1f %%", 100 * fraction);
    }

    private static String yes(boolean met) {
        return met ? "yes" : "no";
    }

    private void row(String k, String v) {
        line("| " + k + " | " + v + " |");
    }

    private void line(String s) {
        md.append(s).append('\n');
    }

    private void line() {
        md.append('\n');
    }
}
