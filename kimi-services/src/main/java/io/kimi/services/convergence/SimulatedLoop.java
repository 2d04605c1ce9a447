package io.kimi.services.convergence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * A deterministic simulation of a convergence loop (diagnose → fix → attack → validate, repeated until an
 * iteration finds nothing), producing the JSON events such a loop sends over its WebSocket (seed 002).
 *
 * <p>Sessions run one after another. Each starts with {@code SESSION_STARTED} (a target such as
 * {@code https://shop-42.example.com} and a {@code config} with {@code max_iterations} and
 * {@code timeout_seconds}); each iteration sends {@code ITERATION_STARTED}, then for each step a
 * {@code STATE_CHANGED} and {@code STEP_STARTED}, later its {@code STEP_COMPLETE} (duration and the step's
 * counts), then {@code METRICS} and {@code ITERATION_ENDED}. Findings fall every iteration (such as 8, 5, 3,
 * 1, 0) within {@code max_iterations}; the iteration that finds nothing ends the session with
 * {@code CONVERGENCE_REACHED} and {@code SESSION_ENDED {"status":"converged"}} in state {@code CONVERGED}.
 * About one session in five fails instead: a {@code STEP_FAILED} with an error, a fatal {@code ERROR} and
 * {@code SESSION_ENDED {"status":"failed"}} in state {@code FAILED}. Some attack steps also report a non-fatal
 * {@code ERROR} (the session goes on).
 *
 * <p>One call of {@link #nextStep()} is one moment of the loop: the caller paces the calls, the events'
 * timestamps are the clock's time at the call. Equal seeds give equal sequences, event and session ids
 * included (they are drawn from the seed); feed a persistent store from a fresh seed per run, since a store
 * that ignores duplicate {@code event_id}s would ignore a replayed seed. Thread-safe.
 */
public final class SimulatedLoop {
    private static final String[] STEPS = {"diagnose", "fix", "attack", "validate"};
    private static final String[] STEP_STATES = {"DIAGNOSING", "FIXING", "ATTACKING", "VALIDATING"};
    private static final String[] SEVERITIES = {"critical", "high", "medium", "low", "info"};
    private static final int[] SEVERITY_WEIGHTS = {1, 2, 3, 3, 2};
    private static final int FAILURE_ODDS = 5;
    private static final int NON_FATAL_ERROR_ODDS = 8;

    private final ObjectMapper mapper;
    private final Deque<List<Draft>> pending = new ArrayDeque<>();
    private final Random random;
    private final Clock clock;

    /**
     * @param seed the same seed gives the same run
     * @param clock the time of the events
     * @param mapper writes the events (the server passes its configured one; any plain mapper does)
     */
    public SimulatedLoop(long seed, Clock clock, ObjectMapper mapper) {
        this.random = new Random(seed);
        this.clock = requireNonNull(clock, "clock");
        this.mapper = requireNonNull(mapper, "mapper");
    }

    /**
     * Advances the loop by one step and returns the events it sent at that step (one to four), as JSON
     * object texts in order. A step after the end of a session starts the next session.
     */
    public synchronized List<String> nextStep() {
        if (pending.isEmpty()) {
            planSession();
        }
        String timestamp = clock.instant().toString();
        List<String> events = new ArrayList<>();
        for (Draft draft : pending.removeFirst()) {
            events.add(render(draft, timestamp));
        }
        return List.copyOf(events);
    }

    /** Queues every step of the next session, decided up front from the seed. */
    private void planSession() {
        String sessionId = uuid().toString();
        int maxIterations = 5 + random.nextInt(6);
        String target = "https://shop-" + (1 + random.nextInt(999)) + ".example.com";
        int[] findings = findingsPlan(maxIterations);
        boolean fails = random.nextInt(FAILURE_ODDS) == 0;
        int failIteration = fails ? 1 + random.nextInt(findings.length) : -1;
        int failStep = fails ? random.nextInt(STEPS.length) : -1;

        Script script = new Script(sessionId);
        ObjectNode config = object().put("max_iterations", maxIterations).put("timeout_seconds", 3600);
        ObjectNode started = object().put("target", target);
        started.set("config", config);
        script.step(script.draft(0, "IDLE", "SESSION_STARTED", started));
        String state = "IDLE";
        for (int iteration = 1; iteration <= findings.length; iteration++) {
            int found = findings[iteration - 1];
            int next = iteration < findings.length ? findings[iteration] : 0;
            Counts counts = counts(found, next, iteration);
            script.step(script.draft(iteration, state, "ITERATION_STARTED", object()));
            for (int step = 0; step < STEPS.length; step++) {
                String to = STEP_STATES[step];
                script.step(script.draft(iteration, to, "STATE_CHANGED", object().put("from", state).put("to", to)),
                        script.draft(iteration, to, "STEP_STARTED", object().put("step", STEPS[step])));
                state = to;
                if (iteration == failIteration && step == failStep) {
                    fail(script, iteration, step, target);
                    return;
                }
                completeStep(script, iteration, step, counts);
            }
            script.step(script.draft(iteration, state, "METRICS", counts.metrics()),
                    script.draft(iteration, state, "ITERATION_ENDED", object()));
        }
        int iterations = findings.length;
        script.step(script.draft(iterations, "CONVERGED", "STATE_CHANGED",
                        object().put("from", state).put("to", "CONVERGED")),
                script.draft(iterations, "CONVERGED", "CONVERGENCE_REACHED", object().put("iterations", iterations)),
                script.draft(iterations, "CONVERGED", "SESSION_ENDED", object().put("status", "converged")));
    }

    /** Strictly decreasing findings per iteration, ending with 0, at most {@code maxIterations} long. */
    private int[] findingsPlan(int maxIterations) {
        List<Integer> plan = new ArrayList<>();
        int found = 4 + random.nextInt(9);
        while (found > 0 && plan.size() < maxIterations - 1) {
            plan.add(found);
            found = (int) Math.floor(found * (0.3 + 0.4 * random.nextDouble()));
        }
        plan.add(0);
        return plan.stream().mapToInt(Integer::intValue).toArray();
    }

    private Counts counts(int found, int nextFound, int iteration) {
        int[] bySeverity = new int[SEVERITIES.length];
        for (int i = 0; i < found; i++) {
            bySeverity[weightedSeverity()]++;
        }
        int fixes = found == 0 ? 0 : found - nextFound + random.nextInt(nextFound + 1);
        int vulnerabilities = found == 0 ? 0 : random.nextInt(Math.min(3, found) + 1);
        int testsPassed = 10 + 2 * iteration + random.nextInt(6);
        int testsFailed = vulnerabilities == 0 ? 0 : random.nextInt(vulnerabilities + 1);
        double[] durations = {
            seconds(60 + 60 * random.nextDouble() - 4 * iteration),
            found == 0 ? seconds(0.5 + random.nextDouble()) : seconds(30 + 12 * fixes + 30 * random.nextDouble()),
            seconds(150 + 150 * random.nextDouble()),
            seconds(100 + 80 * random.nextDouble()),
        };
        return new Counts(bySeverity, fixes, vulnerabilities, testsPassed, testsFailed, durations);
    }

    private int weightedSeverity() {
        int total = 0;
        for (int weight : SEVERITY_WEIGHTS) {
            total += weight;
        }
        int pick = random.nextInt(total);
        for (int i = 0; i < SEVERITY_WEIGHTS.length; i++) {
            pick -= SEVERITY_WEIGHTS[i];
            if (pick < 0) {
                return i;
            }
        }
        throw new IllegalStateException("weights exhausted");
    }

    private void completeStep(Script script, int iteration, int step, Counts counts) {
        String state = STEP_STATES[step];
        List<Draft> drafts = new ArrayList<>();
        if (step == 2 && random.nextInt(NON_FATAL_ERROR_ODDS) == 0) {
            drafts.add(script.draft(iteration, state, "ERROR", object()
                    .put("error", "target rate-limited the attack (429); retried after 5 s").put("fatal", false)));
        }
        ObjectNode data = object().put("step", STEPS[step]).put("duration_seconds", counts.durations()[step]);
        switch (step) {
            case 0:
                data.put("result", "passed").set("findings", counts.findings());
                break;
            case 1:
                data.put("result", "passed").put("fixes", counts.fixes());
                break;
            case 2:
                data.put("result", "passed").put("vulnerabilities", counts.vulnerabilities());
                break;
            default:
                data.put("result", counts.testsFailed() == 0 ? "passed" : "failed")
                        .put("tests_passed", counts.testsPassed()).put("tests_failed", counts.testsFailed());
                break;
        }
        drafts.add(script.draft(iteration, state, "STEP_COMPLETE", data));
        script.step(drafts.toArray(new Draft[0]));
    }

    private void fail(Script script, int iteration, int step, String target) {
        String error = errorOf(step, target);
        String from = STEP_STATES[step];
        script.step(script.draft(iteration, from, "STEP_FAILED", object().put("step", STEPS[step])
                        .put("duration_seconds", seconds(5 + 60 * random.nextDouble())).put("result", "failed")
                        .put("error", error)),
                script.draft(iteration, "FAILED", "ERROR", object().put("error", error).put("fatal", true)),
                script.draft(iteration, "FAILED", "STATE_CHANGED", object().put("from", from).put("to", "FAILED")),
                script.draft(iteration, "FAILED", "SESSION_ENDED", object().put("status", "failed")));
    }

    private static String errorOf(int step, String target) {
        switch (step) {
            case 0:
                return "scanner crashed: out of memory while crawling " + target + "/api";
            case 1:
                return "patch did not apply cleanly to src/auth/session.py";
            case 2:
                return "target unreachable: connection refused (" + target + ")";
            default:
                return "test runner timed out after 600 s";
        }
    }

    private String render(Draft draft, String timestamp) {
        ObjectNode event = object()
                .put("event_id", uuid().toString())
                .put("timestamp", timestamp)
                .put("session_id", draft.sessionId())
                .put("iteration", draft.iteration())
                .put("state", draft.state())
                .put("event_type", draft.eventType());
        event.set("data", draft.data());
        try {
            return mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a simulated " + draft.eventType() + " event", e);
        }
    }

    /** A random (version 4) UUID drawn from the seed. */
    private UUID uuid() {
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low);
    }

    private static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    private static double seconds(double value) {
        return Math.max(0.1, Math.round(value * 10) / 10.0);
    }

    /** The steps of one session being planned; each step is the events sent at one call. */
    private final class Script {
        private final String sessionId;

        Script(String sessionId) {
            this.sessionId = sessionId;
        }

        Draft draft(int iteration, String state, String eventType, ObjectNode data) {
            return new Draft(sessionId, iteration, state, eventType, data);
        }

        void step(Draft... drafts) {
            pending.addLast(List.of(drafts));
        }
    }

    /** An event without its id and timestamp, which it gets when sent. */
    private record Draft(String sessionId, int iteration, String state, String eventType, ObjectNode data) {}

    /** What one iteration finds, fixes and tests, and how long each step takes. */
    private record Counts(int[] bySeverity, int fixes, int vulnerabilities, int testsPassed, int testsFailed,
            double[] durations) {

        ObjectNode findings() {
            ObjectNode findings = JsonNodeFactory.instance.objectNode();
            for (int i = 0; i < SEVERITIES.length; i++) {
                findings.put(SEVERITIES[i], bySeverity[i]);
            }
            return findings;
        }

        ObjectNode metrics() {
            ObjectNode metrics = JsonNodeFactory.instance.objectNode();
            metrics.set("findings", findings());
            return metrics.put("fixes", fixes).put("vulnerabilities", vulnerabilities)
                    .put("tests_passed", testsPassed).put("tests_failed", testsFailed);
        }
    }
}
