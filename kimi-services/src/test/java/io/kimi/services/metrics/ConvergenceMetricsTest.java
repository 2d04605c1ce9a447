package io.kimi.services.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.Event;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.SessionTotals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConvergenceMetricsTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    private final ConvergenceMetrics metrics = new ConvergenceMetrics(new ObjectMapper());
    private final List<Event> events = new ArrayList<>();

    @Test
    void findingsFixesAndStepDurationsAreSummedPerIteration() {
        event(1, 0, "ITERATION_STARTED", "{}");
        event(1, 0, "STEP_STARTED", "{\"step\":\"diagnose\"}");
        event(1, 120, "STEP_COMPLETE", "{\"step\":\"diagnose\",\"findings\":{\"critical\":1,\"high\":2,\"low\":5}}");
        event(1, 130, "STEP_COMPLETE", "{\"step\":\"fix\",\"fixes\":3,\"duration_seconds\":200}");
        event(2, 400, "STEP_STARTED", "{\"step\":\"diagnose\"}");
        event(2, 500.5, "STEP_COMPLETE", "{\"step\":\"diagnose\",\"findings\":[{\"id\":1},{\"id\":2}]}");
        event(2, 510, "METRICS", "{\"findings\":1,\"fixes\":[\"a\",\"b\"]}");
        event(2, 520, "STEP_COMPLETE", "{\"step\":\"diagnose\",\"duration\":10}");

        ConvergenceSummary summary = metrics.summarize(session(2), events);

        assertThat(summary.iterations()).isEqualTo(2);
        assertThat(summary.findingsPerIteration()).containsExactly(8L, 3L);
        assertThat(summary.fixesPerIteration()).containsExactly(3L, 2L);
        assertThat(summary.stepDurations().keySet()).containsExactly("diagnose", "fix");
        assertThat(summary.stepDurations().get("diagnose").get(0)).isCloseTo(120.0, within(1e-9));
        assertThat(summary.stepDurations().get("diagnose").get(1)).isCloseTo(100.5 + 10, within(1e-9));
        assertThat(summary.stepDurations().get("fix")).containsExactly(200.0, 0.0);
    }

    @Test
    void listsCoverEveryIterationUpToTheSessionsOrTheLatestEvents() {
        event(3, 0, "METRICS", "{\"findings\":{\"info\":4}}");
        // iteration 0 belongs to no iteration; bad values and bad JSON add nothing
        event(0, 0, "METRICS", "{\"findings\":{\"info\":100}}");
        event(1, 0, "METRICS", "{\"findings\":{\"high\":-2,\"low\":\"x\"},\"fixes\":\"many\"}");
        event(2, 0, "METRICS", "not json");

        assertThat(metrics.summarize(session(1), events).findingsPerIteration()).containsExactly(0L, 0L, 4L);
        assertThat(metrics.summarize(session(5), List.of()).fixesPerIteration()).containsExactly(0L, 0L, 0L, 0L, 0L);
        assertThat(metrics.summarize(session(0), List.of()).iterations()).isZero();
    }

    private void event(int iteration, double secondsAfterStart, String type, String data) {
        events.add(new Event("e" + events.size(), "c1", T0.plusNanos((long) (secondsAfterStart * 1e9)), iteration,
                "DIAGNOSING", type, data));
    }

    private static Session session(int iteration) {
        return new Session("c1", SessionKind.CONVERGENCE, null, "repo", SessionStatus.RUNNING, T0, null,
                "DIAGNOSING", iteration, "{}", null, null, 0, SessionTotals.ZERO, false);
    }
}
