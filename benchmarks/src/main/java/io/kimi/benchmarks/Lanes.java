package io.kimi.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/** The load lanes, each appending its figures to the run's results. */
final class Lanes {
    /** Streaming warm-up: rounds of this many seconds, until the JIT is done or {@link #STREAM_WARMUP_MAX_S}. */
    static final double STREAM_WARMUP_ROUND_S = 5;
    static final double STREAM_WARMUP_MAX_S = 60;
    /** Fan-out: the clients of the extra run at the top rate that measures the server's side. */
    static final int SERVER_SIDE_CLIENTS = 100;

    private final Plan plan;
    private final Peers peers;
    private final Load load;
    private final ObjectNode results;

    Lanes(Plan plan, Peers peers, Load load, ObjectNode results) {
        this.plan = plan;
        this.peers = peers;
        this.load = load;
        this.results = results;
    }

    /**
     * Waits until our server has recorded everything it accepted: a REST read waits for the recording queue to
     * drain (docs/proxy.md), then CPU must fall quiet. Run before each lane so that no lane pays for the previous
     * one's backlog; the wait is recorded (a long one means the server accepted requests faster than it records
     * them).
     */
    void settle(String lane) throws InterruptedException {
        Peer kimi = peers.get("kimi");
        if (kimi == null) {
            return;
        }
        long t0 = System.nanoTime();
        URI active = URI.create("http://" + kimi.chatUrl().getHost() + ":" + kimi.chatUrl().getPort()
                + "/api/sessions/active");
        try {
            HttpURLConnection c = (HttpURLConnection) active.toURL().openConnection();
            c.setConnectTimeout(5_000);
            c.setReadTimeout(600_000);
            c.getResponseCode();
            c.disconnect();
        } catch (IOException e) {
            results.withArray("notes").add("settling before " + lane + ": " + e);
        }
        double drained = (System.nanoTime() - t0) / 1e9;
        long quietDeadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < quietDeadline) {
            double c0 = ProcStats.cpuSeconds(kimi.pid());
            Thread.sleep(500);
            if (ProcStats.cpuSeconds(kimi.pid()) - c0 < 0.05) { // under 10 % of a core
                break;
            }
        }
        results.with("settle_s").put(lane, Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        results.with("drain_s").put(lane, Math.round(drained * 10) / 10.0);
    }

    /** RSS of every peer (and the mock) before any traffic. */
    void idle() throws InterruptedException {
        Thread.sleep(plan.smoke() ? 500 : 3000);
        ObjectNode idle = results.putObject("idle_rss_kib");
        for (Peer p : peers.all()) {
            idle.put(p.name(), ProcStats.rssKib(p.pid()));
        }
    }

    /** Lane 1: concurrency 1, zero delay, peers interleaved per round. */
    void latency() throws InterruptedException {
        ArrayNode rows = results.putArray("latency");
        for (int round = 1; round <= plan.rounds(); round++) {
            for (Peer p : peers.all()) {
                load.wrk(p, 1, plan.warmupSeconds(), false);
                ObjectNode r = load.wrk(p, 1, plan.latencySeconds(), false);
                r.put("peer", p.name());
                r.put("round", round);
                rows.add(r);
            }
        }
    }

    /** Lane 2: a concurrency sweep with zero delay, then the last concurrency with the fixed delay. */
    void throughput() throws InterruptedException {
        ArrayNode rows = results.putArray("throughput");
        for (int c : plan.sweep()) {
            for (Peer p : peers.all()) {
                ObjectNode r = load.wrk(p, c, plan.throughputSeconds(), false);
                r.put("peer", p.name());
                r.put("connections", c);
                r.put("mode", "zero");
                rows.add(r);
            }
        }
        int c = plan.sweep().get(plan.sweep().size() - 1);
        for (Peer p : peers.all()) {
            ObjectNode r = load.wrk(p, c, plan.throughputSeconds(), true);
            r.put("peer", p.name());
            r.put("connections", c);
            r.put("mode", "delay");
            rows.add(r);
        }
    }

    /**
     * Lane 3: streams at rising concurrency; a peer is not tried further after its first stall. Before its first
     * level, each peer is warmed up until its JIT compilers are done ({@link Load#warmStreams}; not in the smoke).
     */
    void streaming() throws InterruptedException {
        ArrayNode rows = results.putArray("streaming");
        ObjectNode warmUps = results.putObject("streaming_warmup");
        Set<String> stalled = new HashSet<>();
        for (int n : plan.streamLevels()) {
            for (Peer p : peers.all()) {
                if (stalled.contains(p.name())) {
                    continue;
                }
                if (!plan.smoke() && !warmUps.has(p.name())) {
                    warmUps.set(p.name(), load.warmStreams(p, n, STREAM_WARMUP_ROUND_S, STREAM_WARMUP_MAX_S));
                }
                ObjectNode r = load.streams(p, n, plan.streamWarmupSeconds(), plan.streamSeconds());
                r.put("peer", p.name());
                rows.add(r);
                if (r.path("stall").asBoolean(true)) {
                    stalled.add(p.name());
                }
            }
        }
    }

    /**
     * Large replies, one request at a time: non-streamed replies of each planned size, then the largest as one
     * stream event, through every peer and direct (see {@link LargeReplies}).
     */
    void large() throws InterruptedException {
        ArrayNode rows = results.putArray("large");
        LargeReplies large = new LargeReplies();
        for (int mib : plan.largeMib()) {
            for (Peer p : peers.all()) {
                rows.add(large.measure(p, mib, false, plan.largeReps()));
            }
        }
        int largest = plan.largeMib().stream().max(Integer::compare).orElseThrow();
        for (Peer p : peers.all()) {
            rows.add(large.measure(p, largest, true, plan.largeReps()));
        }
    }

    /**
     * WebSocket fan-out (ours only: the peers have no such thing), at rising event rates; stops after the first
     * rate whose delivery p99 reaches 50 ms or that delivers less than 99 % of the messages.
     */
    void fanout() throws InterruptedException {
        Peer kimi = peers.get("kimi");
        if (kimi == null) {
            return;
        }
        ArrayNode rows = results.putArray("fanout");
        for (int rate : plan.wsRates()) {
            ObjectNode r = load.fanout(kimi, plan.wsClients(), rate, plan.wsWarmupSeconds(), plan.wsSeconds());
            rows.add(r);
            boolean kept = r.path("latency_p99_us").asDouble() < 50_000
                    && r.path("messages_received").asDouble() >= 0.99 * r.path("messages_expected").asDouble();
            if (!kept) {
                break; // higher rates only fall further behind
            }
        }
        // Issue 17's fallback: a million messages a second to 1,000 clients is more than the clients can read
        // on the two cores they share with the server, so the server's side is also measured at the top rate
        // with fewer clients, each reading every frame the server batched into one socket read.
        int top = plan.wsRates().stream().max(Integer::compare).orElse(0);
        if (plan.wsClients() > SERVER_SIDE_CLIENTS && top > 0) {
            ObjectNode r = load.fanout(kimi, SERVER_SIDE_CLIENTS, top, plan.wsWarmupSeconds(), plan.wsSeconds());
            r.put("server_side", true);
            rows.add(r);
        }
    }

    /**
     * Lane 4: our RSS under steady load for {@code soakSeconds} (plain requests with the fixed delay at
     * concurrency 8, plus 32 concurrent streams), sampled; then after the load stops.
     */
    void soak(Path work) throws InterruptedException {
        Peer kimi = peers.get("kimi");
        if (kimi == null) {
            return;
        }
        ObjectNode soak = results.putObject("soak");
        soak.put("seconds", plan.soakSeconds());
        soak.put("rss_before_kib", ProcStats.rssKib(kimi.pid()));
        double cpu0 = ProcStats.cpuSeconds(kimi.pid());
        AtomicReference<ObjectNode> streamResult = new AtomicReference<>();
        AtomicReference<Exception> streamError = new AtomicReference<>();
        Thread streams = new Thread(() -> {
            try {
                streamResult.set(load.streams(kimi, 32, 0, plan.soakSeconds()));
            } catch (Exception e) {
                streamError.set(e);
            }
        }, "soak-streams");
        AtomicReference<ObjectNode> wrkResult = new AtomicReference<>();
        AtomicReference<Exception> wrkError = new AtomicReference<>();
        Thread plain = new Thread(() -> {
            try {
                wrkResult.set(load.wrk(kimi, 8, plan.soakSeconds(), true));
            } catch (Exception e) {
                wrkError.set(e);
            }
        }, "soak-wrk");
        long start = System.nanoTime();
        streams.start();
        plain.start();
        ArrayNode samples = soak.putArray("samples");
        long period = plan.soakSampleSeconds() * 1_000_000_000L;
        for (long k = 1; plain.isAlive() || streams.isAlive(); k++) {
            double t = (System.nanoTime() - start) / 1e9;
            samples.addObject().put("t_s", Math.round(t * 10) / 10.0).put("rss_kib", ProcStats.rssKib(kimi.pid()));
            long wait = start + k * period - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        streams.join();
        double loaded = (System.nanoTime() - start) / 1e9;
        soak.put("cpu_percent", 100 * (ProcStats.cpuSeconds(kimi.pid()) - cpu0) / loaded);
        if (wrkResult.get() != null) {
            soak.set("plain", wrkResult.get());
        }
        if (streamResult.get() != null) {
            soak.set("streams", streamResult.get());
        }
        if (wrkError.get() != null || streamError.get() != null) {
            soak.put("error", String.valueOf(wrkError.get() != null ? wrkError.get() : streamError.get()));
        }
        Thread.sleep(plan.smoke() ? 1000 : 15_000);
        soak.put("rss_after_kib", ProcStats.rssKib(kimi.pid()));
        summarise(soak, samples);
    }

    /** Warm-up level (first sample past 20 % of the soak, at most 60 s in), end-of-load level, and the ratio. */
    private void summarise(ObjectNode soak, ArrayNode samples) {
        List<JsonNode> list = new ArrayList<>();
        samples.forEach(list::add);
        if (list.isEmpty()) {
            return;
        }
        double warmAt = Math.min(60, plan.soakSeconds() * 0.2);
        JsonNode warm = list.stream().filter(s -> s.path("t_s").asDouble() >= warmAt).findFirst()
                .orElse(list.get(0));
        JsonNode end = list.get(list.size() - 1);
        long max = list.stream().mapToLong(s -> s.path("rss_kib").asLong()).max().orElse(0);
        soak.put("rss_warm_kib", warm.path("rss_kib").asLong());
        soak.put("rss_warm_at_s", warm.path("t_s").asDouble());
        soak.put("rss_end_kib", end.path("rss_kib").asLong());
        soak.put("rss_max_kib", max);
        soak.put("end_over_warm", end.path("rss_kib").asDouble() / Math.max(1, warm.path("rss_kib").asDouble()));
    }
}
