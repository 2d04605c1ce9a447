package io.kimi.services.convergence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SimulatedLoopTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final Set<String> STATES =
            Set.of("IDLE", "DIAGNOSING", "FIXING", "ATTACKING", "VALIDATING", "CONVERGED", "FAILED");
    private static final Set<String> EVENT_TYPES = Set.of("SESSION_STARTED", "SESSION_ENDED", "ITERATION_STARTED",
            "ITERATION_ENDED", "STATE_CHANGED", "STEP_STARTED", "STEP_COMPLETE", "STEP_FAILED",
            "CONVERGENCE_REACHED", "ERROR", "METRICS");
    private static final List<String> STEPS = List.of("diagnose", "fix", "attack", "validate");
    private static final List<String> STEP_STATES = List.of("DIAGNOSING", "FIXING", "ATTACKING", "VALIDATING");

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void sameSeedGivesSameEventsAndAnotherSeedDoesNot() {
        List<List<String>> first = steps(new SimulatedLoop(42, clock, JSON), 500);
        List<List<String>> again = steps(new SimulatedLoop(42, clock, JSON), 500);
        List<List<String>> other = steps(new SimulatedLoop(43, clock, JSON), 500);

        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void everyEventHasAllRequiredFieldsAndAFreshId() {
        List<JsonNode> events = events(new SimulatedLoop(7, clock, JSON), 3_000);

        Set<String> ids = new HashSet<>();
        for (JsonNode event : events) {
            assertThat(event.fieldNames()).toIterable().containsExactly(
                    "event_id", "timestamp", "session_id", "iteration", "state", "event_type", "data");
            assertThat(ids.add(event.get("event_id").asText())).as("unique id %s", event).isTrue();
            assertThat(UUID.fromString(event.get("event_id").asText()).version()).isEqualTo(4);
            assertThat(UUID.fromString(event.get("session_id").asText())).isNotNull();
            assertThat(Instant.parse(event.get("timestamp").asText())).isEqualTo(NOW);
            assertThat(event.get("iteration").isInt()).isTrue();
            assertThat(event.get("iteration").asInt()).isNotNegative();
            assertThat(STATES).contains(event.get("state").asText());
            assertThat(EVENT_TYPES).contains(event.get("event_type").asText());
            assertThat(event.get("data").isObject()).isTrue();
        }
    }

    @Test
    void eachStepIsStampedWithTheClockAtThatStep() {
        MutableClock ticking = new MutableClock(NOW);
        SimulatedLoop loop = new SimulatedLoop(1, ticking, JSON);

        List<String> first = loop.nextStep();
        ticking.advance(Duration.ofSeconds(30));
        List<String> second = loop.nextStep();

        assertThat(first).allSatisfy(event -> assertThat(field(event, "timestamp")).isEqualTo(NOW.toString()));
        assertThat(second).allSatisfy(event -> assertThat(field(event, "timestamp"))
                .isEqualTo(NOW.plusSeconds(30).toString()));
    }

    @Test
    void sessionsFollowOneAnother() {
        List<List<JsonNode>> sessions = sessions(new SimulatedLoop(3, clock, JSON), 2_000);

        assertThat(sessions).hasSizeGreaterThan(10);
        assertThat(sessions.stream().map(s -> s.get(0).get("session_id").asText()).distinct()).hasSize(sessions.size());
        for (List<JsonNode> session : sessions.subList(0, sessions.size() - 1)) {
            assertThat(types(session).get(0)).isEqualTo("SESSION_STARTED");
            assertThat(types(session).get(session.size() - 1)).isEqualTo("SESSION_ENDED");
            assertThat(types(session).stream().filter("SESSION_ENDED"::equals)).hasSize(1);
        }
    }

    @Test
    void aConvergedSessionRunsEveryStepInOrderWithFewerFindingsEachIteration() {
        List<JsonNode> session = firstSession(new SimulatedLoop(11, clock, JSON), this::converged);

        JsonNode started = session.get(0);
        assertThat(started.get("event_type").asText()).isEqualTo("SESSION_STARTED");
        assertThat(started.get("state").asText()).isEqualTo("IDLE");
        assertThat(started.at("/data/target").asText()).matches("https://shop-\\d+\\.example\\.com");
        int maxIterations = started.at("/data/config/max_iterations").asInt();
        assertThat(maxIterations).isBetween(1, 10);
        assertThat(started.at("/data/config/timeout_seconds").asInt()).isPositive();

        List<JsonNode> rest = withoutNonFatalErrors(session.subList(1, session.size()));
        int iterations = (rest.size() - 3) / 15;
        assertThat(rest).hasSize(iterations * 15 + 3);
        assertThat(iterations).isBetween(1, maxIterations);
        List<Integer> findings = new ArrayList<>();
        for (int i = 0; i < iterations; i++) {
            List<JsonNode> iteration = rest.subList(i * 15, (i + 1) * 15);
            assertIteration(iteration, i + 1, i == 0 ? "IDLE" : "VALIDATING");
            findings.add(total(iteration.get(3).at("/data/findings")));
            assertThat(iteration.get(13).at("/data/findings")).isEqualTo(iteration.get(3).at("/data/findings"));
        }
        assertThat(findings.get(findings.size() - 1)).isZero();
        for (int i = 1; i < findings.size(); i++) {
            assertThat(findings.get(i)).isLessThan(findings.get(i - 1));
        }

        List<JsonNode> end = rest.subList(rest.size() - 3, rest.size());
        assertThat(types(end)).containsExactly("STATE_CHANGED", "CONVERGENCE_REACHED", "SESSION_ENDED");
        assertThat(end).allSatisfy(e -> assertThat(e.get("state").asText()).isEqualTo("CONVERGED"));
        assertThat(end.get(0).get("data").toString()).isEqualTo("{\"from\":\"VALIDATING\",\"to\":\"CONVERGED\"}");
        assertThat(end.get(1).at("/data/iterations").asInt()).isEqualTo(iterations);
        assertThat(end.get(2).get("data").toString()).isEqualTo("{\"status\":\"converged\"}");
    }

    @Test
    void aFailedSessionEndsFailedWithAStepFailureAndAFatalError() {
        List<JsonNode> session = firstSession(new SimulatedLoop(5, clock, JSON), s -> !converged(s));

        List<JsonNode> end = session.subList(session.size() - 4, session.size());
        assertThat(types(end)).containsExactly("STEP_FAILED", "ERROR", "STATE_CHANGED", "SESSION_ENDED");
        JsonNode failed = end.get(0);
        assertThat(STEPS).contains(failed.at("/data/step").asText());
        assertThat(failed.get("state").asText())
                .isEqualTo(STEP_STATES.get(STEPS.indexOf(failed.at("/data/step").asText())));
        assertThat(failed.at("/data/result").asText()).isEqualTo("failed");
        assertThat(failed.at("/data/error").asText()).isNotBlank();
        assertThat(end.get(1).at("/data/fatal").asBoolean()).isTrue();
        assertThat(end.get(1).at("/data/error").asText()).isEqualTo(failed.at("/data/error").asText());
        assertThat(end.get(2).at("/data/to").asText()).isEqualTo("FAILED");
        assertThat(end.get(3).get("data").toString()).isEqualTo("{\"status\":\"failed\"}");
        assertThat(end.subList(1, 4)).allSatisfy(e -> assertThat(e.get("state").asText()).isEqualTo("FAILED"));
        assertThat(types(session)).doesNotContain("CONVERGENCE_REACHED");
    }

    @Test
    void aboutOneSessionInFiveFailsAndNoneExceedsItsMaxIterations() {
        List<List<JsonNode>> sessions = sessions(new SimulatedLoop(99, clock, JSON), 20_000);
        List<List<JsonNode>> ended = sessions.subList(0, sessions.size() - 1);

        long failed = ended.stream().filter(s -> !converged(s)).count();
        assertThat(ended).hasSizeGreaterThan(200);
        assertThat((double) failed / ended.size()).isBetween(0.1, 0.3);
        for (List<JsonNode> session : ended) {
            int max = session.get(0).at("/data/config/max_iterations").asInt();
            assertThat(session).allSatisfy(e -> assertThat(e.get("iteration").asInt()).isLessThanOrEqualTo(max));
            JsonNode last = session.get(session.size() - 1);
            assertThat(last.get("state").asText()).isIn("CONVERGED", "FAILED");
            assertThat(last.at("/data/status").asText()).isEqualTo(converged(session) ? "converged" : "failed");
        }
    }

    @Test
    void nonFatalErrorsDoNotEndTheSession() {
        List<List<JsonNode>> sessions = sessions(new SimulatedLoop(17, clock, JSON), 5_000);

        List<JsonNode> nonFatal = sessions.stream().flatMap(List::stream)
                .filter(e -> e.get("event_type").asText().equals("ERROR") && !e.at("/data/fatal").asBoolean())
                .collect(Collectors.toList());
        assertThat(nonFatal).isNotEmpty().allSatisfy(e -> {
            assertThat(e.at("/data/fatal").isBoolean()).isTrue();
            assertThat(e.at("/data/error").asText()).isNotBlank();
            assertThat(e.get("state").asText()).isEqualTo("ATTACKING");
        });
    }

    private void assertIteration(List<JsonNode> events, int number, String stateBefore) {
        assertThat(events).allSatisfy(e -> assertThat(e.get("iteration").asInt()).isEqualTo(number));
        assertThat(types(events)).containsExactly("ITERATION_STARTED",
                "STATE_CHANGED", "STEP_STARTED", "STEP_COMPLETE",
                "STATE_CHANGED", "STEP_STARTED", "STEP_COMPLETE",
                "STATE_CHANGED", "STEP_STARTED", "STEP_COMPLETE",
                "STATE_CHANGED", "STEP_STARTED", "STEP_COMPLETE",
                "METRICS", "ITERATION_ENDED");
        assertThat(events.get(0).get("state").asText()).isEqualTo(stateBefore);
        String from = stateBefore;
        for (int step = 0; step < 4; step++) {
            JsonNode changed = events.get(1 + step * 3);
            JsonNode stepStarted = events.get(2 + step * 3);
            JsonNode complete = events.get(3 + step * 3);
            assertThat(changed.at("/data/from").asText()).isEqualTo(from);
            assertThat(changed.at("/data/to").asText()).isEqualTo(STEP_STATES.get(step));
            String state = STEP_STATES.get(step);
            from = state;
            assertThat(List.of(changed, stepStarted, complete))
                    .allSatisfy(e -> assertThat(e.get("state").asText()).isEqualTo(state));
            assertThat(stepStarted.at("/data/step").asText()).isEqualTo(STEPS.get(step));
            assertThat(complete.at("/data/step").asText()).isEqualTo(STEPS.get(step));
            assertThat(complete.at("/data/duration_seconds").isDouble()).isTrue();
            assertThat(complete.at("/data/duration_seconds").asDouble()).isPositive();
            assertThat(complete.at("/data/result").asText()).isIn("passed", "failed");
        }
        assertThat(events.get(3).at("/data/findings").fieldNames()).toIterable()
                .containsExactly("critical", "high", "medium", "low", "info");
        assertThat(events.get(6).at("/data/fixes").isInt()).isTrue();
        assertThat(events.get(9).at("/data/vulnerabilities").isInt()).isTrue();
        assertThat(events.get(12).at("/data/tests_passed").asInt()).isPositive();
        assertThat(events.get(12).at("/data/tests_failed").isInt()).isTrue();
        JsonNode metrics = events.get(13);
        assertThat(metrics.at("/data/fixes")).isEqualTo(events.get(6).at("/data/fixes"));
        assertThat(metrics.at("/data/vulnerabilities")).isEqualTo(events.get(9).at("/data/vulnerabilities"));
        assertThat(metrics.at("/data/tests_passed")).isEqualTo(events.get(12).at("/data/tests_passed"));
        assertThat(metrics.at("/data/tests_failed")).isEqualTo(events.get(12).at("/data/tests_failed"));
    }

    private static List<JsonNode> withoutNonFatalErrors(List<JsonNode> events) {
        return events.stream()
                .filter(e -> !(e.get("event_type").asText().equals("ERROR") && !e.at("/data/fatal").asBoolean()))
                .collect(Collectors.toList());
    }

    private boolean converged(List<JsonNode> session) {
        return types(session).contains("CONVERGENCE_REACHED");
    }

    private static int total(JsonNode findings) {
        int total = 0;
        for (JsonNode count : findings) {
            total += count.asInt();
        }
        return total;
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.get("event_type").asText()).collect(Collectors.toList());
    }

    private static List<List<String>> steps(SimulatedLoop loop, int count) {
        List<List<String>> steps = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            steps.add(loop.nextStep());
        }
        return steps;
    }

    private static List<JsonNode> events(SimulatedLoop loop, int steps) {
        List<JsonNode> events = new ArrayList<>();
        for (List<String> step : steps(loop, steps)) {
            assertThat(step).isNotEmpty();
            for (String event : step) {
                events.add(parse(event));
            }
        }
        return events;
    }

    /** The sessions of {@code steps} steps, in order; the last one may be unfinished. */
    private static List<List<JsonNode>> sessions(SimulatedLoop loop, int steps) {
        List<List<JsonNode>> sessions = new ArrayList<>();
        for (JsonNode event : events(loop, steps)) {
            if (event.get("event_type").asText().equals("SESSION_STARTED")) {
                sessions.add(new ArrayList<>());
            }
            assertThat(sessions).as("the first event starts a session").isNotEmpty();
            List<JsonNode> current = sessions.get(sessions.size() - 1);
            if (!current.isEmpty()) {
                assertThat(event.get("session_id")).isEqualTo(current.get(0).get("session_id"));
            }
            current.add(event);
        }
        return sessions;
    }

    private static List<JsonNode> firstSession(SimulatedLoop loop, Predicate<List<JsonNode>> wanted) {
        List<List<JsonNode>> sessions = sessions(loop, 2_000);
        return sessions.subList(0, sessions.size() - 1).stream().filter(wanted).findFirst()
                .orElseThrow(() -> new AssertionError("no such session in 2000 steps"));
    }

    private static String field(String event, String name) {
        return parse(event).get(name).asText();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
