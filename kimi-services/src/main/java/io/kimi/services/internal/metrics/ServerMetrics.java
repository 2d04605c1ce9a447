package io.kimi.services.internal.metrics;

import static java.util.Objects.requireNonNull;

import io.kimi.core.RequestRecord;
import io.kimi.proxy.SecretScrubber;
import io.kimi.services.internal.live.DropReason;
import io.kimi.services.internal.live.LiveClients;
import io.kimi.services.internal.live.OutboundBudget;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
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
 *     <td>provider, model, status (success, error, cancelled, malformed_reply), stream</td></tr>
 * <tr><td>{@code kimi.proxy.tokens}</td><td>{@code kimi_proxy_tokens_total}</td>
 *     <td>provider, model, kind (prompt, completion, cached: a part of prompt), source (reported, estimated)</td></tr>
 * <tr><td>{@code kimi.proxy.cost}</td><td>{@code kimi_proxy_cost_usd_total}</td><td>provider, model</td></tr>
 * <tr><td>{@code kimi.proxy.latency}</td><td>{@code kimi_proxy_latency_seconds_*} (histogram)</td>
 *     <td>provider</td></tr>
 * <tr><td>{@code kimi.proxy.ttft}</td><td>{@code kimi_proxy_ttft_seconds_*} (histogram)</td><td>provider</td></tr>
 * <tr><td>{@code kimi.proxy.overhead}</td><td>{@code kimi_proxy_overhead_seconds_*} (histogram)</td>
 *     <td>provider</td></tr>
 * <tr><td>{@code kimi.proxy.errors}</td><td>{@code kimi_proxy_errors_total}</td>
 *     <td>type (the error code when it is one of {@link RequestMeters#KNOWN_ERROR_CODES} or {@code upstream_<status>}, else
 *     {@code other})</td></tr>
 * <tr><td>{@code kimi.proxy.malformed.replies}</td><td>{@code kimi_proxy_malformed_replies_total}</td>
 *     <td>provider</td></tr>
 * <tr><td>{@code kimi.proxy.secrets.redacted}</td><td>{@code kimi_proxy_secrets_redacted_total}</td>
 *     <td></td></tr>
 * <tr><td>{@code kimi.websocket.clients}</td><td>{@code kimi_websocket_clients}</td><td></td></tr>
 * <tr><td>{@code kimi.websocket.dropped}</td><td>{@code kimi_websocket_dropped_total}</td>
 *     <td>reason (queue_limit, outbound_limit)</td></tr>
 * <tr><td>{@code kimi.websocket.outbound}</td><td>{@code kimi_websocket_outbound_bytes}</td><td></td></tr>
 * <tr><td>{@code kimi.websocket.outbound.limit}</td><td>{@code kimi_websocket_outbound_limit_bytes}</td>
 *     <td></td></tr>
 * <tr><td>{@code kimi.direct.memory.used}, {@code .max}, {@code .netty.allocator}</td>
 *     <td>{@code kimi_direct_memory_used_bytes}, {@code kimi_direct_memory_max_bytes},
 *     {@code kimi_direct_memory_netty_allocator_bytes} (bound by {@link DirectMemoryProbe})</td><td></td></tr>
 * <tr><td>{@code kimi.events.stored}</td><td>{@code kimi_events_stored_total}</td><td></td></tr>
 * <tr><td>{@code kimi.http.connections}</td><td>{@code kimi_http_connections}</td><td></td></tr>
 * <tr><td>{@code kimi.http.connections.refused}</td><td>{@code kimi_http_connections_refused_total}</td>
 *     <td>reason (total, per_client)</td></tr>
 * <tr><td>{@code kimi.http.timeouts}</td><td>{@code kimi_http_timeouts_total}</td>
 *     <td>phase (header, body, idle)</td></tr>
 * <tr><td>{@code kimi.http.pipeline.overflows}</td><td>{@code kimi_http_pipeline_overflows_total}</td>
 *     <td></td></tr>
 * <tr><td>{@code kimi.requests.interrupted}</td><td>{@code kimi_requests_interrupted_total}</td><td></td></tr>
 * <tr><td>{@code kimi.requests.untraced}</td><td>{@code kimi_requests_untraced_total}</td><td></td></tr>
 * <tr><td>{@code kimi.accounting.errors}</td><td>{@code kimi_accounting_errors_total}</td>
 *     <td>record (flagged: stored with {@code accounting_error}; lost: not stored)</td></tr>
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
    static final String MALFORMED = "kimi.proxy.malformed.replies";
    static final String WS_CLIENTS = "kimi.websocket.clients";
    static final String WS_DROPPED = "kimi.websocket.dropped";
    static final String WS_OUTBOUND = "kimi.websocket.outbound";
    static final String WS_OUTBOUND_LIMIT = "kimi.websocket.outbound.limit";
    static final String EVENTS_STORED = "kimi.events.stored";
    static final String SECRETS_REDACTED = "kimi.proxy.secrets.redacted";
    static final String HTTP_CONNECTIONS = "kimi.http.connections";
    static final String HTTP_REFUSED = "kimi.http.connections.refused";
    static final String HTTP_TIMEOUTS = "kimi.http.timeouts";
    static final String HTTP_PIPELINE_OVERFLOWS = "kimi.http.pipeline.overflows";
    static final String INTERRUPTED = "kimi.requests.interrupted";
    static final String UNTRACED = "kimi.requests.untraced";
    static final String ACCOUNTING_ERRORS = "kimi.accounting.errors";
    static final String ACCOUNTING_OVERFLOW = "kimi.accounting.overflow";
    static final String ACCOUNTING_QUEUE = "kimi.accounting.queue";
    static final String ACCOUNTING_QUEUE_LIMIT = "kimi.accounting.queue.limit";

    /** What became of a request whose accounting failed. */
    public enum AccountingOutcome {
        /** Counting its reply failed; it was recorded with an estimate from the reply's size. */
        FLAGGED,
        /** Recording it failed after counting; it is not stored. */
        LOST;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What happened to a request past the recording queue's bound ({@code [server] accounting_queue_limit}). */
    public enum OverflowPolicy {
        /** Recorded with its totals and event, without sampled local count, live push or feature bookkeeping. */
        RECORDED_LIGHT("recorded_light"),
        /** A new chat completion answered 503 before anything was sent upstream, while twice the bound waited. */
        REFUSED("refused");

        private final String label;

        OverflowPolicy(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }


    private static final Logger log = LoggerFactory.getLogger(ServerMetrics.class);

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final Counter eventsStored;
    private final Counter interrupted;
    private final Counter untraced;
    private final Map<OverflowPolicy, Counter> overflow;
    /** Registered at start, so that both series exist (at 0) before the first failure. */
    private final Map<AccountingOutcome, Counter> accountingErrors;
    private final Counter pipelineOverflows;
    private final RequestMeters requests;

    /** A registry on the system clock, with the JVM and process meters bound. */
    public ServerMetrics() {
        this(Clock.SYSTEM);
    }

    /** A registry on the given clock (tests), with the JVM and process meters bound. */
    public ServerMetrics(Clock clock) {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(),
                requireNonNull(clock, "clock"));
        requests = new RequestMeters(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        eventsStored = counter(EVENTS_STORED, "Events appended to the event log");
        interrupted = counter(INTERRUPTED,
                "Requests a previous process sent upstream and never finished (it was killed),"
                + " stored as interrupted when this one started");
        untraced = counter(UNTRACED,
                "Requests sent upstream before their pending record was committed (the store failed"
                + " or was slower than the wait): a crash then would leave no trace of them");
        accountingErrors = counterPerValue(AccountingOutcome.class, ACCOUNTING_ERRORS,
                "Failures in accounting a finished request: flagged (recorded with accounting_error) or lost (not"
                + " recorded)", "record", AccountingOutcome::tag);
        pipelineOverflows = counter(HTTP_PIPELINE_OVERFLOWS,
                "Connections answered 503 and closed for sending more requests ahead than "
                + "server.max_pipelined_requests while a response was being written");
        overflow = counterPerValue(OverflowPolicy.class, ACCOUNTING_OVERFLOW,
                "Requests past the recording queue's bound (accounting_queue_limit), by what was done: recorded the"
                + " light way, or refused with 503 before going upstream", "policy", OverflowPolicy::label);
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
            requests.record(r, sentNanos);
        } catch (RuntimeException e) {
            log.error("Recording metrics of request {} failed", r == null ? null : r.requestId(), e);
        }
    }


    /**
     * Registers the WebSocket meters, read from {@code clients} at each scrape: open connections, clients cut
     * off (one message dropped each) by reason, and the bytes waiting for all clients against their limit.
     * Call once.
     */
    public void webSocket(LiveClients clients) {
        requireNonNull(clients, "clients");
        Gauge.builder(WS_CLIENTS, clients, LiveClients::count)
                .description("Open WebSocket connections")
                .baseUnit("clients")
                .strongReference(true)
                .register(registry);
        for (DropReason reason : DropReason.values()) {
            FunctionCounter.builder(WS_DROPPED, clients, c -> c.dropped(reason))
                    .description("WebSocket clients cut off for reading too slowly (the message they could not "
                            + "take is dropped, the connection closed with 1008), by the limit they reached")
                    .tag("reason", reason.wireName())
                    .register(registry);
        }
        OutboundBudget outbound = clients.outbound();
        Gauge.builder(WS_OUTBOUND, outbound, OutboundBudget::queuedBytes)
                .description("Bytes waiting to be sent to all WebSocket clients together")
                .baseUnit(BaseUnits.BYTES)
                .strongReference(true)
                .register(registry);
        Gauge.builder(WS_OUTBOUND_LIMIT, outbound, OutboundBudget::limitBytes)
                .description("The limit of bytes waiting for all WebSocket clients (server.ws_outbound_limit_bytes)")
                .baseUnit(BaseUnits.BYTES)
                .strongReference(true)
                .register(registry);
    }

    /**
     * Registers the counter {@code kimi.proxy.secrets.redacted}: configured secrets a provider sent back that were
     * replaced, and response headers held back for holding one, read from {@code secrets} at each scrape (which is
     * held weakly: the proxy that uses it keeps it). Call once.
     */
    public void secretsRedacted(SecretScrubber secrets) {
        FunctionCounter.builder(SECRETS_REDACTED, requireNonNull(secrets, "secrets"), SecretScrubber::redactions)
                .description("Configured secrets found in provider replies and replaced (or the header held back)")
                .register(registry);
    }

    /** Counts the requests found pending (and stored as interrupted) when the store was opened. */
    public void requestsInterrupted(int count) {
        interrupted.increment(count);
    }

    /** Counts one request sent upstream without a committed pending record. */
    public void requestUntraced() {
        untraced.increment();
    }

    /** Counts one failure in accounting a finished request, by what became of its record. */
    public void accountingError(AccountingOutcome outcome) {
        accountingErrors.get(requireNonNull(outcome, "outcome")).increment();
    }

    /** Counts one request past the recording queue's bound. */
    public void accountingOverflow(OverflowPolicy policy) {
        overflow.get(requireNonNull(policy, "policy")).increment();
    }

    /**
     * Registers the gauges {@code kimi.accounting.queue} (finished requests waiting to be recorded, read from
     * {@code waiting} at each scrape) and {@code kimi.accounting.queue.limit}. Call once.
     */
    public void accountingQueue(IntSupplier waiting, int limit) {
        requireNonNull(waiting, "waiting");
        Gauge.builder(ACCOUNTING_QUEUE, waiting, IntSupplier::getAsInt)
                .description("Finished requests waiting for the accounting thread to record them")
                .strongReference(true)
                .register(registry);
        Gauge.builder(ACCOUNTING_QUEUE_LIMIT, () -> limit)
                .description("accounting_queue_limit: past it requests are recorded the light way, at twice it"
                        + " new ones are refused")
                .register(registry);
    }

    /** Counts one event appended to the event log. */
    public void eventStored() {
        eventsStored.increment();
    }

    /**
     * Registers the gauge {@code kimi.http.connections}: client connections open now (WebSockets included), read
     * from {@code open} at each scrape. Call once; the supplier is held strongly.
     */
    public void httpConnections(IntSupplier open) {
        requireNonNull(open, "open");
        Gauge.builder(HTTP_CONNECTIONS, open, IntSupplier::getAsInt)
                .description("Open client connections, WebSockets included")
                .baseUnit("connections")
                .strongReference(true)
                .register(registry);
    }

    /** Counts one connection refused over a limit; {@code reason} is {@code total} or {@code per_client}. */
    public void connectionRefused(String reason) {
        counter(HTTP_REFUSED, "Client connections refused because a connection limit was reached",
                "reason", requireNonNull(reason, "reason")).increment();
    }

    /**
     * Counts one connection closed by a timeout; {@code phase} is {@code header} (request headers too slow),
     * {@code body} (request body too slow) or {@code idle} (no next request on a keep-alive connection).
     */
    public void requestTimedOut(String phase) {
        counter(HTTP_TIMEOUTS, "Client connections closed because a request was too slow or the connection idle",
                "phase", requireNonNull(phase, "phase")).increment();
    }

    /**
     * Counts one connection that sent more requests ahead than {@code server.max_pipelined_requests} while a
     * response was being written; it was answered 503 and closed.
     */
    public void pipelineOverflowed() {
        pipelineOverflows.increment();
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



    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    /** The counter of one tag value: registered by the first call, found again by the next ones. */
    private Counter counter(String name, String description, String tag, String value) {
        return Counter.builder(name).description(description).tag(tag, value).register(registry);
    }

    /**
     * One counter per value of {@code type}, all named {@code name}, each tagged {@code tag} = its label: registered
     * now, so that every series exists (at 0) before the first increment.
     */
    private <E extends Enum<E>> Map<E, Counter> counterPerValue(Class<E> type, String name, String description,
            String tag, Function<E, String> label) {
        Map<E, Counter> counters = new EnumMap<>(type);
        for (E value : type.getEnumConstants()) {
            counters.put(value, counter(name, description, tag, label.apply(value)));
        }
        return counters;
    }
}
