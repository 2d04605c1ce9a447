package io.kimi.services.internal.convergence;

import static java.util.Objects.requireNonNull;

import io.kimi.core.Findings;
import io.kimi.core.SessionStatus;
import io.kimi.core.store.ConvergenceFigures;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The convergence loops' Prometheus meters (seed 002's Grafana exporter): the stored convergence sessions by
 * status, the iterations they reached, their findings by severity, fixes and vulnerabilities (gauges that equal
 * {@code GET /api/metrics}: they start from the store and follow every committed change), each step's duration
 * as reported (a histogram since this process started) and the bridge's state and counters.
 *
 * <table>
 * <caption>Meters and their Prometheus names</caption>
 * <tr><th>Prometheus</th><th>type</th><th>labels</th></tr>
 * <tr><td>{@code kimi_convergence_sessions}</td><td>gauge</td><td>status (running, converged, failed,
 *     completed)</td></tr>
 * <tr><td>{@code kimi_convergence_iterations}</td><td>gauge</td><td></td></tr>
 * <tr><td>{@code kimi_convergence_findings}</td><td>gauge</td><td>severity (critical, high, medium, low,
 *     info)</td></tr>
 * <tr><td>{@code kimi_convergence_fixes}, {@code kimi_convergence_vulnerabilities}</td><td>gauge</td><td></td></tr>
 * <tr><td>{@code kimi_convergence_step_duration_seconds}</td><td>histogram</td><td>step (diagnose, fix, attack,
 *     validate, other)</td></tr>
 * <tr><td>{@code kimi_convergence_bridge_state}</td><td>gauge (1 for the current state, else 0)</td><td>state
 *     (disabled, mock, connecting, connected, waiting, other)</td></tr>
 * <tr><td>{@code kimi_convergence_bridge_messages_total}, {@code _events_accepted_total},
 *     {@code _reconnects_total}, {@code _invalid_events_total}, {@code _read_pauses_total}</td><td>counter</td>
 *     <td></td></tr>
 * </table>
 *
 * <p>Every label takes its values from a fixed set, so the number of series is bounded whatever a loop sends: a
 * step or bridge state outside it is counted as {@code other}. (Statuses are an enum; a finding whose severity
 * is not one of the five counts as {@code info}, as everywhere else.)
 *
 * <p>Thread-safe. The gauges are changed by the ingest thread (one writer), read by scrapes.
 */
public final class ConvergenceMeters {
    static final String SESSIONS = "kimi.convergence.sessions";
    static final String ITERATIONS = "kimi.convergence.iterations";
    static final String FINDINGS = "kimi.convergence.findings";
    static final String FIXES = "kimi.convergence.fixes";
    static final String VULNERABILITIES = "kimi.convergence.vulnerabilities";
    static final String STEP_DURATION = "kimi.convergence.step.duration";
    static final String BRIDGE_STATE = "kimi.convergence.bridge.state";
    static final String OTHER = "other";

    /** The loop's steps, in the order it runs them; any other step name is {@code other}. */
    static final List<String> STEPS = List.of("diagnose", "fix", "attack", "validate");
    /** The bridge's states ({@link BridgeStatus#state()}); any other is {@code other}. */
    static final List<String> BRIDGE_STATES = List.of("disabled", "mock", "connecting", "connected", "waiting");

    /** Histogram buckets for step durations: a second to two hours. */
    private static final Duration[] STEP_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
        Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1),
        Duration.ofHours(2)};

    private final MeterRegistry registry;
    private final AtomicReference<ConvergenceFigures> figures;
    private final Map<String, Timer> stepTimers = new LinkedHashMap<>();

    /**
     * Registers the gauges and histograms on {@code registry}.
     *
     * @param stored the stored convergence sessions' figures when the server starts ({@code
     *     StoreStats.convergenceFigures()})
     */
    public ConvergenceMeters(MeterRegistry registry, ConvergenceFigures stored) {
        this.registry = requireNonNull(registry, "registry");
        this.figures = new AtomicReference<>(requireNonNull(stored, "stored"));
        Map<SessionStatus, ToLongFunction<ConvergenceFigures>> byStatus = new EnumMap<>(SessionStatus.class);
        byStatus.put(SessionStatus.RUNNING, ConvergenceFigures::running);
        byStatus.put(SessionStatus.CONVERGED, ConvergenceFigures::converged);
        byStatus.put(SessionStatus.FAILED, ConvergenceFigures::failed);
        byStatus.put(SessionStatus.COMPLETED, ConvergenceFigures::completed);
        byStatus.forEach((status, count) -> gauge(SESSIONS, "Stored convergence sessions, by status",
                "sessions", f -> count.applyAsLong(f)).tag("status", status.wireName()).register(registry));
        gauge(ITERATIONS, "Iterations reached, summed over the stored convergence sessions", "iterations",
                ConvergenceFigures::iterations).register(registry);
        Map<String, ToLongFunction<Findings>> bySeverity = new LinkedHashMap<>();
        bySeverity.put("critical", Findings::critical);
        bySeverity.put("high", Findings::high);
        bySeverity.put("medium", Findings::medium);
        bySeverity.put("low", Findings::low);
        bySeverity.put("info", Findings::info);
        bySeverity.forEach((severity, count) -> gauge(FINDINGS,
                "Findings of the stored convergence sessions (each iteration's last report), by severity",
                "findings", f -> count.applyAsLong(f.findings())).tag("severity", severity).register(registry));
        gauge(FIXES, "Fixes of the stored convergence sessions", "fixes", ConvergenceFigures::fixes)
                .register(registry);
        gauge(VULNERABILITIES, "Vulnerabilities of the stored convergence sessions", "vulnerabilities",
                ConvergenceFigures::vulnerabilities).register(registry);
        for (String step : STEPS) {
            stepTimers.put(step, stepTimer(step));
        }
        stepTimers.put(OTHER, stepTimer(OTHER));
    }

    private Gauge.Builder<AtomicReference<ConvergenceFigures>> gauge(String name, String description, String unit,
            ToLongFunction<ConvergenceFigures> value) {
        ToDoubleFunction<AtomicReference<ConvergenceFigures>> read = ref -> value.applyAsLong(ref.get());
        return Gauge.builder(name, figures, read).description(description).baseUnit(unit).strongReference(true);
    }

    private Timer stepTimer(String step) {
        return Timer.builder(STEP_DURATION)
                .description("Durations of the convergence loops' steps as they reported them, since this"
                        + " server started")
                .tag("step", step)
                .serviceLevelObjectives(STEP_BUCKETS)
                .register(registry);
    }

    /**
     * Registers the bridge's meters, read from {@code status} at each scrape: its state (1 for the current one)
     * and its counters. Call once.
     */
    public void bridge(Supplier<BridgeStatus> status) {
        requireNonNull(status, "status");
        for (String state : BRIDGE_STATES) {
            bridgeState(status, state);
        }
        bridgeState(status, OTHER);
        bridgeCounter(status, "messages", "Messages received from the convergence loop", BridgeStatus::messagesReceived);
        bridgeCounter(status, "events.accepted", "Events the bridge stored (duplicates excluded)",
                BridgeStatus::eventsAccepted);
        bridgeCounter(status, "reconnects", "Open connections to the loop lost (each followed by reconnecting)",
                BridgeStatus::reconnects);
        bridgeCounter(status, "invalid.events", "Events from the loop dropped as invalid",
                BridgeStatus::invalidEvents);
        bridgeCounter(status, "read.pauses", "Times the bridge paused reading because storing fell 1 MiB behind",
                BridgeStatus::readPauses);
    }

    private void bridgeState(Supplier<BridgeStatus> status, String state) {
        Gauge.builder(BRIDGE_STATE, status, s -> state.equals(bridgeStateLabel(s.get().state())) ? 1 : 0)
                .description("The convergence bridge's state: 1 for the current one, 0 for the others")
                .tag("state", state)
                .strongReference(true)
                .register(registry);
    }

    private void bridgeCounter(Supplier<BridgeStatus> status, String name, String description,
            ToLongFunction<BridgeStatus> count) {
        FunctionCounter.builder("kimi.convergence.bridge." + name, status, s -> count.applyAsLong(s.get()))
                .description(description)
                .register(registry);
    }

    /** The figures the gauges show now. */
    public ConvergenceFigures figures() {
        return figures.get();
    }

    /** A session's figures changed from {@code before} to {@code after} (a new session: before is ZERO). */
    void changed(ConvergenceFigures before, ConvergenceFigures after) {
        if (!before.equals(after)) {
            figures.updateAndGet(f -> f.minus(before).plus(after));
        }
    }

    /** A session with these figures was deleted. */
    void removed(ConvergenceFigures session) {
        figures.updateAndGet(f -> f.minus(session));
    }

    /** A step reported its duration. */
    void stepDuration(String step, double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            return;
        }
        stepTimers.get(stepLabel(step)).record(Math.round(seconds * 1_000_000), TimeUnit.MICROSECONDS);
    }

    /** The step as a label value: one of {@link #STEPS}, else {@code other}. */
    static String stepLabel(String step) {
        String lower = step == null ? "" : step.toLowerCase(Locale.ROOT);
        return STEPS.contains(lower) ? lower : OTHER;
    }

    /** The bridge state as a label value: one of {@link #BRIDGE_STATES}, else {@code other}. */
    static String bridgeStateLabel(String state) {
        return state != null && BRIDGE_STATES.contains(state) ? state : OTHER;
    }
}
