package io.kimi.services.metrics;

import static java.util.Objects.requireNonNull;

import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.TokenUsage;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's meters, on its own {@link PrometheusMeterRegistry} (never Micrometer's global one), rendered by
 * {@link #scrape()} in the Prometheus text format 0.0.4.
 *
 * <table>
 * <caption>Meters and their Prometheus names</caption>
 * <tr><th>meter</th><th>Prometheus</th><th>tags</th></tr>
 * <tr><td>{@code kimi.proxy.requests}</td><td>{@code kimi_proxy_requests_total}</td>
 *     <td>provider, model, status (success, error, cancelled), stream</td></tr>
 * <tr><td>{@code kimi.proxy.tokens}</td><td>{@code kimi_proxy_tokens_total}</td>
 *     <td>provider, model, kind (prompt, completion, cached: a part of prompt), source (reported, estimated)</td></tr>
 * <tr><td>{@code kimi.proxy.cost}</td><td>{@code kimi_proxy_cost_usd_total}</td><td>provider, model</td></tr>
 * <tr><td>{@code kimi.proxy.latency}</td><td>{@code kimi_proxy_latency_seconds_*} (histogram)</td>
 *     <td>provider</td></tr>
 * <tr><td>{@code kimi.proxy.ttft}</td><td>{@code kimi_proxy_ttft_seconds_*} (histogram)</td><td>provider</td></tr>
 * <tr><td>{@code kimi.proxy.overhead}</td><td>{@code kimi_proxy_overhead_seconds_*} (histogram)</td>
 *     <td>provider</td></tr>
 * <tr><td>{@code kimi.proxy.errors}</td><td>{@code kimi_proxy_errors_total}</td><td>type (the error code)</td></tr>
 * <tr><td>{@code kimi.websocket.clients}</td><td>{@code kimi_websocket_clients}</td><td></td></tr>
 * <tr><td>{@code kimi.websocket.dropped}</td><td>{@code kimi_websocket_dropped_total}</td><td></td></tr>
 * <tr><td>{@code kimi.events.stored}</td><td>{@code kimi_events_stored_total}</td><td></td></tr>
 * <tr><td>{@code kimi.requests.interrupted}</td><td>{@code kimi_requests_interrupted_total}</td><td></td></tr>
 * <tr><td>{@code kimi.requests.untraced}</td><td>{@code kimi_requests_untraced_total}</td><td></td></tr>
 * </table>
 *
 * <p>Plus the JVM and process meters of Micrometer's binders ({@code jvm_memory_*}, {@code jvm_gc_*},
 * {@code jvm_threads_*}, {@code process_cpu_usage}, {@code system_cpu_*}, {@code process_uptime_seconds}...).
 *
 * <p>Thread-safe. Recording never throws: a failure is logged and the request it describes goes on.
 */
public final class ServerMetrics implements AutoCloseable {
    /** The content type of {@link #scrape()}. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    static final String REQUESTS = "kimi.proxy.requests";
    static final String TOKENS = "kimi.proxy.tokens";
    static final String COST = "kimi.proxy.cost";
    static final String LATENCY = "kimi.proxy.latency";
    static final String TTFT = "kimi.proxy.ttft";
    static final String OVERHEAD = "kimi.proxy.overhead";
    static final String ERRORS = "kimi.proxy.errors";
    static final String WS_CLIENTS = "kimi.websocket.clients";
    static final String WS_DROPPED = "kimi.websocket.dropped";
    static final String EVENTS_STORED = "kimi.events.stored";
    static final String INTERRUPTED = "kimi.requests.interrupted";
    static final String UNTRACED = "kimi.requests.untraced";

    /** Error codes come from providers too: past this many distinct ones, new ones are not counted by type. */
    static final int MAX_ERROR_TYPES = 100;
    private static final int MAX_ERROR_TYPE_LENGTH = 64;

    private static final Logger log = LoggerFactory.getLogger(ServerMetrics.class);

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final Counter dropped;
    private final Counter eventsStored;
    private final Counter interrupted;
    private final Counter untraced;

    /** A registry on the system clock, with the JVM and process meters bound. */
    public ServerMetrics() {
        this(Clock.SYSTEM);
    }

    /** A registry on the given clock (tests), with the JVM and process meters bound. */
    public ServerMetrics(Clock clock) {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(),
                requireNonNull(clock, "clock"));
        registry.config().meterFilter(MeterFilter.maximumAllowableTags(ERRORS, "type", MAX_ERROR_TYPES,
                MeterFilter.deny()));
        new JvmMemoryMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        dropped = Counter.builder(WS_DROPPED)
                .description("WebSocket messages not delivered because a client's outbound queue was full")
                .register(registry);
        eventsStored = Counter.builder(EVENTS_STORED)
                .description("Events appended to the event log")
                .register(registry);
        interrupted = Counter.builder(INTERRUPTED)
                .description("Requests a previous process sent upstream and never finished (it was killed),"
                        + " stored as interrupted when this one started")
                .register(registry);
        untraced = Counter.builder(UNTRACED)
                .description("Requests sent upstream before their pending record was committed (the store failed"
                        + " or was slower than the wait): a crash then would leave no trace of them")
                .register(registry);
    }

    /** The registry, to bind more meters to. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Counts one recorded request: requests, effective tokens by kind and source, cost, errors by type; and its
     * timings when it reached a provider: total latency, time to first byte, and our overhead before sending.
     *
     * @param r the request as recorded
     * @param sentNanos nanoseconds from arrival until the request was written to the provider, or -1 when it
     *     never was (then only the counters move)
     */
    public void recordRequest(RequestRecord r, long sentNanos) {
        try {
            record(r, sentNanos);
        } catch (RuntimeException e) {
            log.error("Recording metrics of request {} failed", r == null ? null : r.requestId(), e);
        }
    }

    private void record(RequestRecord r, long sentNanos) {
        requireNonNull(r, "r");
        Tags model = Tags.of("provider", r.provider(), "model", r.model());
        Counter.builder(REQUESTS)
                .description("Proxied chat completions, by how they ended")
                .baseUnit("requests")
                .tags(model)
                .tag("status", r.status().wireName())
                .tag("stream", Boolean.toString(r.stream()))
                .register(registry)
                .increment();
        TokenUsage used = r.effective();
        String source = r.usageSource().wireName();
        tokens(model, "prompt", source, used.promptTokens());
        tokens(model, "completion", source, used.completionTokens());
        tokens(model, "cached", source, used.cachedPromptTokens());
        if (r.costUsd() > 0) {
            Counter.builder(COST)
                    .description("Cost of the counted tokens at the configured prices")
                    .baseUnit("usd")
                    .tags(model)
                    .register(registry)
                    .increment(r.costUsd());
        }
        if (r.status() == RequestStatus.ERROR) {
            Counter.builder(ERRORS)
                    .description("Requests that ended in an error, by error code")
                    .baseUnit("errors")
                    .tag("type", errorType(r.errorType()))
                    .register(registry)
                    .increment();
        }
        if (sentNanos < 0) {
            return;
        }
        Tags provider = Tags.of("provider", r.provider());
        timer(LATENCY, "Time from a request's arrival to the last byte sent to the client", provider,
                Duration.ofMillis(1), Duration.ofMinutes(10))
                .record(r.latencyMs(), TimeUnit.MILLISECONDS);
        if (r.ttftMs() >= 0) {
            timer(TTFT, "Time from a request's arrival to the first byte of the provider's reply", provider,
                    Duration.ofMillis(1), Duration.ofMinutes(10))
                    .record(r.ttftMs(), TimeUnit.MILLISECONDS);
        }
        timer(OVERHEAD, "Time from a request's arrival until it was written to the provider"
                + " (parsing, counting, connecting, retries)", provider, Duration.ofNanos(50_000), Duration.ofMinutes(1))
                .record(sentNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Registers the gauge {@code kimi.websocket.clients}, read from {@code clients} at each scrape. Call once;
     * the supplier is held strongly (it is often a lambda nothing else keeps).
     */
    public void webSocketClients(IntSupplier clients) {
        requireNonNull(clients, "clients");
        Gauge.builder(WS_CLIENTS, clients, IntSupplier::getAsInt)
                .description("Open WebSocket connections")
                .baseUnit("clients")
                .strongReference(true)
                .register(registry);
    }

    /** Counts one WebSocket message dropped for a slow client. */
    public void messageDropped() {
        dropped.increment();
    }

    /** Counts the requests found pending (and stored as interrupted) when the store was opened. */
    public void requestsInterrupted(int count) {
        interrupted.increment(count);
    }

    /** Counts one request sent upstream without a committed pending record. */
    public void requestUntraced() {
        untraced.increment();
    }

    /** Counts one event appended to the event log. */
    public void eventStored() {
        eventsStored.increment();
    }

    /** Every meter in the Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape(CONTENT_TYPE);
    }

    /** Unbinds the garbage-collection listeners and closes the registry. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private void tokens(Tags model, String kind, String source, int amount) {
        if (amount <= 0) {
            return;
        }
        Counter.builder(TOKENS)
                .description("Tokens counted in sessions (cached tokens are a part of prompt tokens)")
                .baseUnit("tokens")
                .tags(model)
                .tag("kind", kind)
                .tag("source", source)
                .register(registry)
                .increment(amount);
    }

    private Timer timer(String name, String description, Tags tags, Duration min, Duration max) {
        return Timer.builder(name)
                .description(description)
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(min)
                .maximumExpectedValue(max)
                .register(registry);
    }

    /** The error code as a bounded label value: lower case letters, digits and '_', at most 64 characters. */
    static String errorType(String code) {
        if (code == null || code.isBlank()) {
            return "unknown";
        }
        String clean = code.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        return clean.length() > MAX_ERROR_TYPE_LENGTH ? clean.substring(0, MAX_ERROR_TYPE_LENGTH) : clean;
    }
}
