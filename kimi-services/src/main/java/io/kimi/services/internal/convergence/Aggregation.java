package io.kimi.services.internal.convergence;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Event;
import io.kimi.core.EventTypes;
import io.kimi.core.Findings;
import io.kimi.core.IterationStats;
import io.kimi.core.Session;
import io.kimi.core.SessionStatus;
import io.kimi.core.StepStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How one event changes a convergence session's aggregate. The rules (also in docs/convergence.md):
 * <ul>
 *   <li>{@code current_iteration} is the highest iteration seen; {@code current_state} the state of the latest
 *       event (by timestamp) that carried one, or a {@code STATE_CHANGED}'s {@code data.to}.</li>
 *   <li>Counts are per iteration, the last report of each wins: {@code findings} (by severity; a bare number
 *       or a list without severities counts as {@code info}), {@code fixes}, {@code vulnerabilities},
 *       {@code tests_passed}/{@code tests_failed} (or {@code tests:{passed,failed}}), from any event's data.
 *       Session totals are sums over iterations, except tests, which come from the latest iteration that
 *       reported them.</li>
 *   <li>Step events record each step's status and {@code duration_seconds} (or {@code duration},
 *       {@code duration_ms}) per iteration; a step is named by {@code data.step} or the state.</li>
 *   <li>Status: failed (a {@code FAILED} state, a fatal {@code ERROR}, or a failed end) is final and never
 *       becomes completed; {@code CONVERGENCE_REACHED} means converged; {@code SESSION_ENDED} ends the session
 *       with its {@code data.status}, else by its state.</li>
 * </ul>
 */
final class Aggregation {
    private static final List<String> SEVERITIES = List.of("critical", "high", "medium", "low", "info");
    private static final Map<String, String> STEP_OF_STATE = Map.of("DIAGNOSING", "diagnose", "FIXING", "fix",
            "ATTACKING", "attack", "VALIDATING", "validate");

    /** What changed, to be written. */
    record Changes(List<IterationStats> iterations, List<StepStats> steps) {
    }

    private Aggregation() {
    }

    static Changes apply(LoopSession s, Event e, JsonNode data) {
        List<IterationStats> dirtyIterations = new ArrayList<>(1);
        List<StepStats> dirtySteps = new ArrayList<>(1);
        Session session = s.session;
        int iteration = Math.max(session.currentIteration(), e.iteration());
        String state = session.currentState();
        if (e.state() != null && !e.timestamp().isBefore(s.stateTime)) {
            state = e.state();
            s.stateTime = e.timestamp();
        }
        SessionStatus status = session.status();
        Instant end = session.endTime();
        Instant start = e.timestamp().isBefore(session.startTime()) ? e.timestamp() : session.startTime();
        String target = session.target();
        String configJson = session.configJson();
        String type = e.eventType();

        if (EventTypes.SESSION_STARTED.equals(type)) {
            if (data.hasNonNull("target")) {
                target = data.get("target").asText();
            }
            if (data.path("config").isObject()) {
                configJson = data.get("config").toString();
            }
        } else if (EventTypes.STATE_CHANGED.equals(type)) {
            String to = text(data, "to", "state", "new_state");
            if (to != null && !e.timestamp().isBefore(s.stateTime)) {
                state = to.toUpperCase(Locale.ROOT);
                s.stateTime = e.timestamp();
            }
        } else if (EventTypes.CONVERGENCE_REACHED.equals(type)) {
            if (status != SessionStatus.FAILED) {
                status = SessionStatus.CONVERGED;
                state = "CONVERGED";
            }
            end = later(end, e.timestamp());
        } else if (EventTypes.SESSION_ENDED.equals(type)) {
            status = endStatus(status, state, text(data, "status"));
            end = later(end, e.timestamp());
        } else if (EventTypes.ERROR.equals(type) && data.path("fatal").asBoolean(false)) {
            status = SessionStatus.FAILED;
        }
        if ("FAILED".equals(state) || "FAILED".equals(e.state())) {
            status = SessionStatus.FAILED;
        }

        IterationStats before = s.iterations.get(e.iteration());
        IterationStats after = iterationAfter(before, e, data, type);
        if (after != null && !after.equals(before)) {
            s.iterations.put(e.iteration(), after);
            dirtyIterations.add(after);
        }
        if (type.startsWith("STEP_")) {
            StepStats step = stepAfter(s, e, data, type);
            if (step != null) {
                dirtySteps.add(step);
            }
        }
        s.session = session.withTarget(target, configJson)
                .withState(status, state, iteration, end)
                .withConvergence(totals(s));
        if (!start.equals(session.startTime())) {
            s.session = withStart(s.session, start);
        }
        return new Changes(dirtyIterations, dirtySteps);
    }

    private static IterationStats iterationAfter(IterationStats before, Event e, JsonNode data, String type) {
        Findings findings = findings(data.get("findings"));
        Long fixes = count(data.get("fixes"));
        Long vulnerabilities = count(data.get("vulnerabilities"));
        Long passed = longOrNull(data.has("tests_passed") ? data.get("tests_passed") : data.path("tests").get("passed"));
        Long failed = longOrNull(data.has("tests_failed") ? data.get("tests_failed") : data.path("tests").get("failed"));
        boolean starts = EventTypes.ITERATION_STARTED.equals(type);
        boolean ends = EventTypes.ITERATION_ENDED.equals(type);
        if (findings == null && fixes == null && vulnerabilities == null && passed == null && failed == null
                && !starts && !ends && before != null) {
            return before;
        }
        if (before == null && findings == null && fixes == null && vulnerabilities == null && passed == null
                && failed == null && !starts && !ends) {
            return null;
        }
        IterationStats b = before != null ? before
                : new IterationStats(e.sessionId(), e.iteration(), Findings.ZERO, 0, 0, null, null, null, null);
        return new IterationStats(e.sessionId(), e.iteration(),
                findings != null ? findings : b.findings(),
                fixes != null ? fixes : b.fixes(),
                vulnerabilities != null ? vulnerabilities : b.vulnerabilities(),
                passed != null ? passed : b.testsPassed(),
                failed != null ? failed : b.testsFailed(),
                starts ? earlier(b.startedAt(), e.timestamp()) : b.startedAt(),
                ends ? later(b.endedAt(), e.timestamp()) : b.endedAt());
    }

    private static StepStats stepAfter(LoopSession s, Event e, JsonNode data, String type) {
        String step = text(data, "step");
        if (step == null && e.state() != null) {
            step = STEP_OF_STATE.get(e.state());
        }
        if (step == null) {
            return null;
        }
        step = step.toLowerCase(Locale.ROOT);
        String status = type.equals(EventTypes.STEP_STARTED) ? "started"
                : type.equals(EventTypes.STEP_FAILED) ? "failed" : "complete";
        Double duration = duration(data);
        String key = LoopSession.stepKey(e.iteration(), step);
        StepStats before = s.steps.get(key);
        if (before != null && status.equals("started") && !before.status().equals("started")) {
            return null; // a replayed start never undoes a finished step
        }
        StepStats after = new StepStats(e.sessionId(), e.iteration(), step,
                duration != null ? duration : before != null ? before.durationSeconds() : null, status);
        if (after.equals(before)) {
            return null;
        }
        s.steps.put(key, after);
        return after;
    }

    private static ConvergenceTotals totals(LoopSession s) {
        long findings = 0;
        long fixes = 0;
        long vulnerabilities = 0;
        long passed = 0;
        long failed = 0;
        for (IterationStats it : s.iterations.values()) {
            findings += it.findings().total();
            fixes += it.fixes();
            vulnerabilities += it.vulnerabilities();
            if (it.testsPassed() != null || it.testsFailed() != null) {
                passed = it.testsPassed() != null ? it.testsPassed() : 0;
                failed = it.testsFailed() != null ? it.testsFailed() : 0;
            }
        }
        return new ConvergenceTotals(findings, fixes, vulnerabilities, passed, failed);
    }

    private static SessionStatus endStatus(SessionStatus current, String state, String declared) {
        if (current == SessionStatus.FAILED) {
            return SessionStatus.FAILED;
        }
        if (declared != null) {
            switch (declared.toLowerCase(Locale.ROOT)) {
                case "failed":
                case "error":
                    return SessionStatus.FAILED;
                case "converged":
                    return SessionStatus.CONVERGED;
                case "completed":
                    return "FAILED".equals(state) ? SessionStatus.FAILED : SessionStatus.COMPLETED;
                default:
                    break;
            }
        }
        if ("FAILED".equals(state)) {
            return SessionStatus.FAILED;
        }
        if ("CONVERGED".equals(state) || current == SessionStatus.CONVERGED) {
            return SessionStatus.CONVERGED;
        }
        return SessionStatus.COMPLETED;
    }

    /** {critical..info} counts, a bare number (info), or a list of findings (each by its severity). */
    static Findings findings(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        long[] c = new long[5];
        if (n.isObject()) {
            for (int i = 0; i < 5; i++) {
                JsonNode v = n.get(SEVERITIES.get(i));
                c[i] = v != null && v.isNumber() ? Math.max(0, v.asLong()) : v != null && v.isArray() ? v.size() : 0;
            }
        } else if (n.isNumber()) {
            c[4] = Math.max(0, n.asLong());
        } else if (n.isArray()) {
            for (JsonNode item : n) {
                int i = SEVERITIES.indexOf(item.path("severity").asText("info").toLowerCase(Locale.ROOT));
                c[i < 0 ? 4 : i]++;
            }
        } else {
            return null;
        }
        return new Findings(c[0], c[1], c[2], c[3], c[4]);
    }

    /** A count given as a number, a list (its size) or an object of counts (their sum). */
    private static Long count(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isNumber()) {
            return Math.max(0, n.asLong());
        }
        if (n.isArray()) {
            return (long) n.size();
        }
        if (n.isObject()) {
            long sum = 0;
            for (JsonNode v : n) {
                sum += v.isNumber() ? Math.max(0, v.asLong()) : 0;
            }
            return sum;
        }
        return null;
    }

    private static Long longOrNull(JsonNode n) {
        return n != null && n.isNumber() ? Math.max(0, n.asLong()) : null;
    }

    private static Double duration(JsonNode data) {
        if (data.path("duration_seconds").isNumber()) {
            return data.get("duration_seconds").asDouble();
        }
        if (data.path("duration").isNumber()) {
            return data.get("duration").asDouble();
        }
        if (data.path("duration_ms").isNumber()) {
            return data.get("duration_ms").asDouble() / 1000.0;
        }
        return null;
    }

    private static String text(JsonNode data, String... fields) {
        for (String f : fields) {
            JsonNode v = data.get(f);
            if (v != null && v.isTextual() && !v.asText().isBlank()) {
                return v.asText();
            }
        }
        return null;
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }

    private static Session withStart(Session s, Instant start) {
        return new Session(s.sessionId(), s.kind(), s.name(), s.target(), s.status(), start, s.endTime(),
                s.currentState(), s.currentIteration(), s.configJson(), s.provider(), s.model(), s.contextWindow(),
                s.totals(), s.active(), s.convergence());
    }
}
