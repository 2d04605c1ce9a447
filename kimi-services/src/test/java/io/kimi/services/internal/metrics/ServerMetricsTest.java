package io.kimi.services.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.within;

import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.TokenUsage;
import io.kimi.core.hub.EventHub;
import io.kimi.proxy.SecretScrubber;
import io.kimi.services.internal.live.DropReason;
import io.kimi.services.internal.live.LiveClients;
import io.kimi.services.internal.live.LiveConnection;
import io.kimi.services.internal.live.OutboundBudget;
import io.kimi.services.internal.live.Subscriptions;
import io.kimi.testing.PrometheusText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerMetricsTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    private final ServerMetrics metrics = new ServerMetrics();
    private int ids;

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void requestsAreCountedByProviderModelStatusAndStream() {
        metrics.recordRequest(success("fake", "kimi-k2", true), 1_000_000);
        metrics.recordRequest(success("fake", "kimi-k2", true), 1_000_000);
        metrics.recordRequest(success("other", "gpt", false), 1_000_000);
        metrics.recordRequest(failure(502, "upstream_error", null), 1_000_000);
        metrics.recordRequest(cancelled(), 1_000_000);

        PrometheusText scrape = PrometheusText.parse(metrics.scrape());

        assertThat(scrape.value("kimi_proxy_requests_total",
                Map.of("provider", "fake", "model", "kimi-k2", "status", "success", "stream", "true"))).isEqualTo(2);
        assertThat(scrape.value("kimi_proxy_requests_total",
                Map.of("provider", "other", "model", "gpt", "status", "success", "stream", "false"))).isEqualTo(1);
        assertThat(scrape.sum("kimi_proxy_requests_total", Map.of("status", "error"))).isEqualTo(1);
        assertThat(scrape.sum("kimi_proxy_requests_total", Map.of("status", "cancelled"))).isEqualTo(1);
        assertThat(scrape.families().get("kimi_proxy_requests_total").type()).isEqualTo("counter");
    }

    @Test
    void malformedRepliesAreCountedByProviderApartFromErrors() {
        metrics.recordRequest(record(RequestStatus.MALFORMED_REPLY, 200, "malformed_reply", TokenUsage.ZERO, null, 0,
                40, 10), 1_000_000);
        metrics.recordRequest(record(RequestStatus.MALFORMED_REPLY, 200, "malformed_reply", TokenUsage.ZERO, null, 0,
                40, 10), 1_000_000);
        metrics.recordRequest(record(RequestStatus.ERROR, 502, "upstream_event_too_large", TokenUsage.ZERO, null, 0,
                40, 10), 1_000_000);

        PrometheusText scrape = PrometheusText.parse(metrics.scrape());

        assertThat(scrape.value("kimi_proxy_malformed_replies_total", Map.of("provider", "fake"))).isEqualTo(2);
        assertThat(scrape.value("kimi_proxy_requests_total", Map.of("provider", "fake", "model", "kimi-k2",
                "status", "malformed_reply", "stream", "false"))).isEqualTo(2);
        assertThat(scrape.value("kimi_proxy_errors_total", Map.of("type", "upstream_event_too_large")))
                .isEqualTo(1);
        assertThat(scrape.families().get("kimi_proxy_errors_total").samples()).hasSize(1);
    }

    @Test
    void interruptedAndUntracedRequestsAreCounted() {
        metrics.requestsInterrupted(3);
        metrics.requestsInterrupted(0);
        metrics.requestUntraced();

        PrometheusText scrape = PrometheusText.parse(metrics.scrape());

        assertThat(scrape.value("kimi_requests_interrupted_total", Map.of())).isEqualTo(3);
        assertThat(scrape.value("kimi_requests_untraced_total", Map.of())).isEqualTo(1);
        assertThat(scrape.families().get("kimi_requests_interrupted_total").type()).isEqualTo("counter");
    }

    @Test
    void effectiveTokensAreCountedByKindAndSourceWithTheirCost() {
        // reported usage wins over the estimate
        metrics.recordRequest(record(RequestStatus.SUCCESS, 200, null, new TokenUsage(90, 9, 0),
                new TokenUsage(100, 10, 40), 0.25, 50, 10), 1_000_000);
        // a 2xx stream that broke off without usage: the estimate counts
        metrics.recordRequest(record(RequestStatus.ERROR, 200, "upstream_disconnected", new TokenUsage(30, 3, 0),
                null, 0.125, 50, 10), 1_000_000);
        // refused: nothing counts
        metrics.recordRequest(record(RequestStatus.ERROR, 413, "context_length_exceeded", new TokenUsage(999, 0, 0),
                null, 0.0, 1, -1), -1);

        PrometheusText scrape = PrometheusText.parse(metrics.scrape());
        Map<String, String> fake = Map.of("provider", "fake", "model", "kimi-k2");

        assertThat(scrape.value("kimi_proxy_tokens_total", with(fake, "kind", "prompt", "source", "reported")))
                .isEqualTo(100);
        assertThat(scrape.value("kimi_proxy_tokens_total", with(fake, "kind", "completion", "source", "reported")))
                .isEqualTo(10);
        assertThat(scrape.value("kimi_proxy_tokens_total", with(fake, "kind", "cached", "source", "reported")))
                .isEqualTo(40);
        assertThat(scrape.value("kimi_proxy_tokens_total", with(fake, "kind", "prompt", "source", "estimated")))
                .isEqualTo(30);
        assertThat(scrape.value("kimi_proxy_tokens_total", with(fake, "kind", "completion", "source", "estimated")))
                .isEqualTo(3);
        assertThat(scrape.value("kimi_proxy_cost_usd_total", fake)).isCloseTo(0.375, within(1e-12));
        assertThat(scrape.value("kimi_proxy_errors_total", Map.of("type", "upstream_disconnected"))).isEqualTo(1);
        assertThat(scrape.value("kimi_proxy_errors_total", Map.of("type", "context_length_exceeded"))).isEqualTo(1);
    }

    @Test
    void timersMeasureOnlyRequestsThatReachedAProvider() {
        metrics.recordRequest(record(RequestStatus.SUCCESS, 200, null, TokenUsage.ZERO, null, 0, 1500, 300),
                2_000_000);
        metrics.recordRequest(record(RequestStatus.ERROR, 504, "upstream_timeout", TokenUsage.ZERO, null, 0, 500,
                -1), 3_000_000);
        metrics.recordRequest(record(RequestStatus.ERROR, 404, "model_not_found", TokenUsage.ZERO, null, 0, 1, -1),
                -1);

        PrometheusText scrape = PrometheusText.parse(metrics.scrape());
        Map<String, String> fake = Map.of("provider", "fake");

        assertThat(scrape.families().get("kimi_proxy_latency_seconds").type()).isEqualTo("histogram");
        assertThat(scrape.value("kimi_proxy_latency_seconds_count", fake)).isEqualTo(2);
        assertThat(scrape.value("kimi_proxy_latency_seconds_sum", fake)).isCloseTo(2.0, within(1e-9));
        assertThat(scrape.samples("kimi_proxy_latency_seconds_bucket", fake)).hasSizeGreaterThan(10);
        assertThat(scrape.value("kimi_proxy_latency_seconds_max", fake)).isCloseTo(1.5, within(1e-9));
        assertThat(scrape.value("kimi_proxy_ttft_seconds_count", fake)).isEqualTo(1);
        assertThat(scrape.value("kimi_proxy_ttft_seconds_sum", fake)).isCloseTo(0.3, within(1e-9));
        assertThat(scrape.value("kimi_proxy_overhead_seconds_count", fake)).isEqualTo(2);
        assertThat(scrape.value("kimi_proxy_overhead_seconds_sum", fake)).isCloseTo(0.005, within(1e-9));
        // the bucket holding 2 ms counts the first request only: a histogram_quantile() can be drawn from it
        assertThat(scrape.samples("kimi_proxy_overhead_seconds_bucket", fake).stream()
                .filter(b -> !b.labels().get("le").equals("+Inf"))
                .filter(b -> Double.parseDouble(b.labels().get("le")) >= 0.002
                        && Double.parseDouble(b.labels().get("le")) < 0.003)
                .map(PrometheusText.Sample::value)).containsOnly(1.0);
    }

    @Test
    void webSocketFiguresAreReadAtEachScrapeAndStoredEventsCounted() {
        LiveClients clients = new LiveClients(new EventHub(), new OutboundBudget(65_536));
        metrics.webSocket(clients);

        PrometheusText before = PrometheusText.parse(metrics.scrape());
        assertThat(before.value("kimi_websocket_clients", Map.of())).isZero();
        assertThat(before.value("kimi_websocket_dropped_total", Map.of("reason", "queue_limit"))).isZero();
        assertThat(before.value("kimi_websocket_dropped_total", Map.of("reason", "outbound_limit"))).isZero();
        assertThat(before.value("kimi_websocket_outbound_limit_bytes", Map.of())).isEqualTo(65_536);
        clients.add(new IdleConnection());
        clients.add(new IdleConnection());
        clients.countDrop(DropReason.QUEUE_LIMIT);
        clients.countDrop(DropReason.OUTBOUND_LIMIT);
        clients.countDrop(DropReason.OUTBOUND_LIMIT);
        clients.outbound().tryReserve(1000);
        metrics.eventStored();

        PrometheusText scrape = PrometheusText.parse(metrics.scrape());
        assertThat(scrape.value("kimi_websocket_clients", Map.of())).isEqualTo(2);
        assertThat(scrape.value("kimi_websocket_dropped_total", Map.of("reason", "queue_limit"))).isEqualTo(1);
        assertThat(scrape.value("kimi_websocket_dropped_total", Map.of("reason", "outbound_limit"))).isEqualTo(2);
        assertThat(scrape.value("kimi_websocket_outbound_bytes", Map.of())).isEqualTo(1000);
        assertThat(scrape.value("kimi_events_stored_total", Map.of())).isEqualTo(1);
    }

    @Test
    void openConnectionsAreReadAtEachScrapeAndRefusalsAndTimeoutsCountedByKind() {
        AtomicInteger open = new AtomicInteger(7);
        metrics.httpConnections(open::get);
        metrics.connectionRefused("per_client");
        metrics.connectionRefused("per_client");
        metrics.connectionRefused("total");
        metrics.requestTimedOut("header");
        open.set(9);

        PrometheusText scrape = PrometheusText.parse(metrics.scrape());
        assertThat(scrape.value("kimi_http_connections", Map.of())).isEqualTo(9);
        assertThat(scrape.value("kimi_http_connections_refused_total", Map.of("reason", "per_client"))).isEqualTo(2);
        assertThat(scrape.value("kimi_http_connections_refused_total", Map.of("reason", "total"))).isEqualTo(1);
        assertThat(scrape.value("kimi_http_timeouts_total", Map.of("phase", "header"))).isEqualTo(1);
    }

    @Test
    void directMemoryUsedItsMaximumAndNettysAllocatorPartAreGauged() {
        DirectMemoryProbe probe = new DirectMemoryProbe(ByteBufAllocator.DEFAULT);
        probe.bindTo(metrics.registry());
        ByteBuf held = ByteBufAllocator.DEFAULT.directBuffer(1 << 20);
        try {
            held.writeZero(1 << 20);
            DirectMemory now = probe.read();
            PrometheusText scrape = PrometheusText.parse(metrics.scrape());

            assertThat(now.maxBytes()).isPositive();
            assertThat(now.usedBytes()).isBetween(1L << 20, now.maxBytes());
            assertThat(now.nettyAllocatorBytes()).isGreaterThanOrEqualTo(1L << 20);
            assertThat(scrape.value("kimi_direct_memory_used_bytes", Map.of())).isGreaterThanOrEqualTo(1 << 20);
            assertThat(scrape.value("kimi_direct_memory_max_bytes", Map.of())).isEqualTo(now.maxBytes());
            assertThat(scrape.value("kimi_direct_memory_netty_allocator_bytes", Map.of()))
                    .isGreaterThanOrEqualTo(1 << 20);
            scrape.families().values().forEach(f -> assertThat(f.help()).as(f.name()).isNotBlank());
        } finally {
            held.release();
        }
    }

    /** A connected client that never gets anything. */
    private static final class IdleConnection implements LiveConnection {
        private final Subscriptions subscriptions = new Subscriptions();

        @Override
        public Subscriptions subscriptions() {
            return subscriptions;
        }

        @Override
        public boolean offer(byte[] utf8Json) {
            return true;
        }

        @Override
        public long outboundBytes() {
            return 0;
        }

        @Override
        public long waitingSinceNanos() {
            return 0;
        }

        @Override
        public void cutOff(DropReason reason) {
            throw new AssertionError("nothing waits for an idle connection");
        }

        @Override
        public Future<?> goAway(String reason) {
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void scrapeIsValidExpositionTextWithHelpAndTypeForEveryFamilyIncludingTheJvmOnes() {
        metrics.recordRequest(success("fake", "kimi-k2", true), 1_000_000);
        metrics.recordRequest(failure(502, "weird code/with \"quotes\"", null), 1_000_000);
        metrics.webSocket(new LiveClients(new EventHub(), new OutboundBudget(65_536)));
        String text = metrics.scrape();

        PrometheusText scrape = PrometheusText.parse(text);

        assertThat(text).doesNotContain("# EOF"); // 0.0.4, not OpenMetrics
        assertThat(scrape.families()).containsKeys("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total",
                "jvm_threads_live_threads", "system_cpu_count", "process_uptime_seconds",
                "kimi_proxy_requests_total", "kimi_proxy_tokens_total", "kimi_websocket_clients");
        scrape.families().values().forEach(f -> assertThat(f.help()).as(f.name()).isNotBlank());
        assertThat(scrape.value("kimi_proxy_errors_total", Map.of("type", "other"))).isEqualTo(1);
    }

    @Test
    void errorTypesAreKnownCodesOrUpstreamStatusesElseOther() {
        assertThat(RequestMeters.errorType(null)).isEqualTo("unknown");
        assertThat(RequestMeters.errorType("Upstream_Timeout")).isEqualTo("upstream_timeout");
        assertThat(RequestMeters.errorType("invalid_api_key")).isEqualTo("invalid_api_key");
        assertThat(RequestMeters.errorType("upstream_503")).isEqualTo("upstream_503");
        assertThat(RequestMeters.errorType("upstream_5030")).isEqualTo("other");
        assertThat(RequestMeters.errorType("sk-proj-Abc123Def456")).isEqualTo("other");
        assertThat(RequestMeters.errorType("[REDACTED]")).isEqualTo("other");
    }

    @Test
    void unknownErrorCodesAreAllCountedUnderOneLabel() {
        for (int i = 0; i < 500; i++) {
            metrics.recordRequest(failure(502, "req_" + i + "_failed", null), 1_000);
        }
        metrics.recordRequest(failure(502, "upstream_disconnected", null), 1_000);

        PrometheusText scrape = PrometheusText.parse(metrics.scrape());

        assertThat(scrape.samples("kimi_proxy_errors_total", Map.of())).hasSize(2);
        assertThat(scrape.value("kimi_proxy_errors_total", Map.of("type", "other"))).isEqualTo(500);
        assertThat(scrape.value("kimi_proxy_errors_total", Map.of("type", "upstream_disconnected"))).isEqualTo(1);
    }

    @Test
    void redactedSecretsAreCountedFromTheirSource() {
        SecretScrubber secrets = SecretScrubber.of(List.of("sk-0123456789"));
        metrics.secretsRedacted(secrets);
        secrets.scrub("sk-0123456789 sk-0123456789 and sk-0123456789");

        PrometheusText scrape = PrometheusText.parse(metrics.scrape());

        assertThat(scrape.value("kimi_proxy_secrets_redacted_total", Map.of())).isEqualTo(3);
    }

    @Test
    void aFailureToRecordIsLoggedNotThrown() {
        assertThatCode(() -> metrics.recordRequest(null, 0)).doesNotThrowAnyException();
    }

    @Test
    void eachInstanceHasItsOwnRegistry() {
        try (ServerMetrics other = new ServerMetrics()) {
            metrics.recordRequest(success("fake", "kimi-k2", false), 1_000);

            assertThat(PrometheusText.parse(other.scrape()).samples("kimi_proxy_requests_total", Map.of())).isEmpty();
        }
    }

    private RequestRecord success(String provider, String model, boolean stream) {
        return new RequestRecord("r" + (++ids), "s1", T0, provider, model, model + "-up", stream,
                RequestStatus.SUCCESS, 200, null, null, new TokenUsage(10, 2, 0), new TokenUsage(11, 2, 0), 0.001,
                100, 20, "proxy");
    }

    private RequestRecord failure(int httpStatus, String code, TokenUsage reported) {
        return new RequestRecord("r" + (++ids), "s1", T0, "fake", "kimi-k2", "kimi-k2-up", false,
                RequestStatus.ERROR, httpStatus, code, "it failed", new TokenUsage(10, 0, 0), reported, 0.0, 100, -1,
                "proxy");
    }

    private RequestRecord cancelled() {
        return new RequestRecord("r" + (++ids), "s1", T0, "fake", "kimi-k2", "kimi-k2-up", true,
                RequestStatus.CANCELLED, 200, null, null, new TokenUsage(10, 1, 0), null, 0.0, 100, 20, "proxy");
    }

    private RequestRecord record(RequestStatus status, int httpStatus, String code, TokenUsage estimated,
            TokenUsage reported, double cost, long latencyMs, long ttftMs) {
        return new RequestRecord("r" + (++ids), "s1", T0, "fake", "kimi-k2", "kimi-k2-up", false, status, httpStatus,
                code, code == null ? null : "failed", estimated, reported, cost, latencyMs, ttftMs, "proxy");
    }

    private static Map<String, String> with(Map<String, String> base, String k1, String v1, String k2, String v2) {
        Map<String, String> m = new HashMap<>(base);
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
