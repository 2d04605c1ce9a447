package io.kimi.benchmarks;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The large-reply lane: one request at a time for a reply of several MiB, through each peer and direct, timed
 * from sending the request to the reply's last byte (read and discarded by the client). Non-streamed JSON
 * replies of each size, and a stream whose content is one event of the largest size. Between two requests to
 * ours, a REST read waits until it has recorded the previous one, so that counting one reply does not slow the
 * next (the wait is reported apart as {@code record_s}).
 */
final class LargeReplies {
    /** The sizes the mock and our configuration know ({@code bench-<n>m}); a plan picks among them. */
    static final List<Integer> SIZES_MIB = List.of(1, 8, 16, 24);
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * {@code reps} timed requests (after one not timed) for a reply of {@code mib} MiB from {@code peer}; the
     * times of each, their median and best, the bytes received, and the peer's CPU per request.
     */
    ObjectNode measure(Peer peer, int mib, boolean stream, int reps) throws InterruptedException {
        ObjectNode row = JsonNodeFactory.instance.objectNode();
        row.put("peer", peer.name());
        row.put("mib", mib);
        row.put("stream", stream);
        String body = MockPayloads.request(MockPayloads.largeModel(mib), stream);
        ArrayNode times = row.putArray("seconds");
        ArrayNode records = row.putArray("record_s");
        List<Double> measured = new ArrayList<>();
        double cpu = 0;
        try {
            once(peer, body);
            record(peer);
            for (int i = 0; i < reps; i++) {
                double cpu0 = ProcStats.cpuSeconds(peer.pid());
                long t0 = System.nanoTime();
                long bytes = once(peer, body);
                double seconds = (System.nanoTime() - t0) / 1e9;
                cpu += ProcStats.cpuSeconds(peer.pid()) - cpu0;
                times.add(seconds);
                measured.add(seconds);
                row.put("bytes", bytes);
                double recorded = record(peer);
                if (recorded >= 0) {
                    records.add(recorded);
                }
            }
        } catch (IOException e) {
            row.put("error", e.toString());
        }
        if (!measured.isEmpty()) {
            List<Double> sorted = new ArrayList<>(measured);
            sorted.sort(null);
            row.put("median_s", sorted.get(sorted.size() / 2));
            row.put("best_s", sorted.get(0));
            row.put("peer_cpu_s_per_request", cpu / measured.size());
        }
        return row;
    }

    /** One request; the reply's byte count. Anything but a 200 with at least the asked size is an error. */
    private long once(Peer peer, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(peer.chatUrl()).timeout(TIMEOUT)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (String header : peer.headers().split("\\|")) {
            int colon = header.indexOf(':');
            if (colon > 0) {
                request.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
            }
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        long bytes = 0;
        byte[] buffer = new byte[64 << 10];
        try (InputStream in = response.body()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                bytes += n;
            }
        }
        if (response.statusCode() != 200) {
            throw new IOException(peer.name() + " answered " + response.statusCode());
        }
        return bytes;
    }

    /** For ours, waits until it has recorded what it answered; the seconds waited, or -1 for the others. */
    private double record(Peer peer) throws IOException, InterruptedException {
        if (!peer.name().equals("kimi")) {
            return -1;
        }
        URI active = URI.create("http://" + peer.chatUrl().getHost() + ":" + peer.chatUrl().getPort()
                + "/api/sessions/active");
        long t0 = System.nanoTime();
        http.send(HttpRequest.newBuilder(active).timeout(TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        return (System.nanoTime() - t0) / 1e9;
    }
}
