package io.kimi.benchmarks;

import io.kimi.testing.PrometheusText;
import io.kimi.testing.RawWsClient;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The WebSocket ping flood of the security review: one client on {@code /ws} of a running server sends
 * {@code --pings} pings ({@code --kind frame}: control PING frames with 125-byte payloads; {@code --kind action}:
 * {@code {"action":"ping"}} text messages) in steps of {@code --step}, and never reads. After each step it
 * samples the server's direct memory ({@code /metrics}) and resident memory ({@code --pid}); then the client
 * leaves, and {@code --probes} calls of {@code /health} and as many new WebSocket clients check that the server
 * still serves. Prints a Markdown report.
 *
 * <p>Start the server with a small {@code -XX:MaxDirectMemorySize} (e.g. 32m) to see what exhausting it does.
 */
public final class WsPingFlood {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration STEP_TIME = Duration.ofSeconds(30);
    private static final double MIB = 1024.0 * 1024.0;

    private final URI base;
    private final long pid;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(PROBE_TIMEOUT).build();

    private WsPingFlood(URI base, long pid) {
        this.base = base;
        this.pid = pid;
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        WsPingFlood flood = new WsPingFlood(URI.create(args.required("base")), Long.parseLong(args.str("pid", "-1")));
        flood.run(System.out, args.str("kind", "frame"), args.intOr("pings", 400_000), args.intOr("step", 50_000),
                args.intOr("probes", 8));
    }

    /** Floods, sampling as it goes, and prints the report to {@code out} line by line. */
    private void run(PrintStream out, String kind, int pings, int step, int probes) throws IOException {
        byte[] frame = kind.equals("action")
                ? RawWsClient.frame(RawWsClient.OPCODE_TEXT, "{\"action\":\"ping\"}".getBytes(StandardCharsets.UTF_8))
                : RawWsClient.frame(RawWsClient.OPCODE_PING, "p".repeat(125).getBytes(StandardCharsets.US_ASCII));
        out.append("ping flood (").append(kind).append(") against ").append(base.toString()).append('\n');
        out.append("\n| pings sent | server direct memory used | server RSS | /metrics answered in |\n");
        out.append("|---:|---:|---:|---:|\n");
        out.append(sampleRow("0"));
        int sent = 0;
        String ending = "the client sent every ping; the server kept the connection open";
        try (RawWsClient client = new RawWsClient(base.getPort())) {
            while (sent < pings) {
                int asked = Math.min(step, pings - sent);
                int n = client.flood(frame, asked, STEP_TIME);
                sent += n;
                out.append(sampleRow(String.format(Locale.ROOT, "%,d", sent)));
                if (client.isClosed()) {
                    ending = "the server stopped reading: the client's writes blocked for " + STEP_TIME.toSeconds()
                            + " s after " + sent + " pings";
                    break;
                }
                if (n < asked) {
                    ending = "the server closed the connection after " + sent + " pings";
                    break;
                }
            }
        }
        out.append('\n').append(ending).append("; then the client left.\n");
        int healthOk = 0;
        long worstMillis = 0;
        for (int i = 0; i < probes; i++) {
            long t0 = System.nanoTime();
            boolean ok = get("/health") != null;
            worstMillis = Math.max(worstMillis, (System.nanoTime() - t0) / 1_000_000);
            healthOk += ok ? 1 : 0;
        }
        int wsOk = 0;
        for (int i = 0; i < probes; i++) {
            wsOk += newClientGetsInit() ? 1 : 0;
        }
        out.append(String.format(Locale.ROOT, "after: /health answered %d of %d (slowest %d ms, timeout %d s); "
                + "new WebSocket clients got init %d of %d%n", healthOk, probes, worstMillis,
                PROBE_TIMEOUT.toSeconds(), wsOk, probes));
        out.append("\n| | server direct memory used | server RSS | /metrics answered in |\n|---:|---:|---:|---:|\n")
                .append(sampleRow("after the client left"));
    }

    private String sampleRow(String label) {
        long t0 = System.nanoTime();
        String metrics = get("/metrics");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        String direct = metrics == null ? "no answer" : String.format(Locale.ROOT, "%.1f MiB", directUsed(metrics) / MIB);
        long rss = pid > 0 ? ProcStats.rssKib(pid) : -1;
        return String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", label, direct,
                rss < 0 ? "?" : String.format(Locale.ROOT, "%.0f MiB", rss / 1024.0),
                metrics == null ? "> " + PROBE_TIMEOUT.toSeconds() + " s" : millis + " ms");
    }

    /** The server's own figure when it has one, else the JVM's direct buffer pool. */
    private static double directUsed(String metrics) {
        PrometheusText scrape = PrometheusText.parse(metrics);
        if (scrape.families().containsKey("kimi_direct_memory_used_bytes")) {
            return scrape.value("kimi_direct_memory_used_bytes", Map.of());
        }
        return scrape.value("jvm_buffer_memory_used_bytes", Map.of("id", "direct"));
    }

    private boolean newClientGetsInit() {
        try (RawWsClient client = new RawWsClient(base.getPort())) {
            return client.readText().contains("\"type\":\"init\"");
        } catch (IOException e) {
            return false;
        }
    }

    /** The body of a 200 answer within the probe timeout, else {@code null}. */
    private String get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(PROBE_TIMEOUT)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
