package io.kimi.services.internal.convergence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Event;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.SessionTotals;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AggregationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private final LoopSession s = new LoopSession(new Session("s1", SessionKind.CONVERGENCE, null, null,
            SessionStatus.RUNNING, T0, null, null, 0, "{}", null, null, 0, SessionTotals.ZERO, false,
            ConvergenceTotals.ZERO));
    private int second;

    private Aggregation.Changes apply(int iteration, String state, String type, String data) throws Exception {
        Event e = new Event(UUID.randomUUID().toString(), "s1", T0.plusSeconds(++second), iteration, state, type,
                data);
        JsonNode node = JSON.readTree(data);
        return Aggregation.apply(s, e, node);
    }

    @Test
    void sessionStartSetsTargetAndConfig() throws Exception {
        apply(0, "IDLE", "SESSION_STARTED", "{\"target\":\"https://example.com\",\"config\":{\"max_iterations\":10}}");

        assertThat(s.session.target()).isEqualTo("https://example.com");
        assertThat(s.session.configJson()).isEqualTo("{\"max_iterations\":10}");
        assertThat(s.session.currentState()).isEqualTo("IDLE");
    }

    @Test
    void countsArePerIterationLastReportWinsAndTotalsSumIterations() throws Exception {
        apply(1, "DIAGNOSING", "STEP_COMPLETE", "{\"step\":\"diagnose\",\"findings\":{\"critical\":1,\"high\":2}}");
        apply(1, "FIXING", "STEP_COMPLETE", "{\"step\":\"fix\",\"fixes\":3,\"duration_seconds\":12.5}");
        apply(1, "VALIDATING", "METRICS", "{\"findings\":{\"critical\":1,\"high\":2},\"fixes\":3,"
                + "\"vulnerabilities\":[{},{}],\"tests_passed\":8,\"tests_failed\":1}");
        apply(2, "DIAGNOSING", "STEP_COMPLETE", "{\"step\":\"diagnose\",\"findings\":2}");
        apply(2, "VALIDATING", "STEP_COMPLETE", "{\"step\":\"validate\",\"tests\":{\"passed\":9,\"failed\":0}}");

        ConvergenceTotals t = s.session.convergence();
        assertThat(t.totalFindings()).isEqualTo(5);
        assertThat(t.totalFixes()).isEqualTo(3);
        assertThat(t.totalVulnerabilities()).isEqualTo(2);
        assertThat(t.testsPassed()).isEqualTo(9);
        assertThat(t.testsFailed()).isZero();
        assertThat(s.session.currentIteration()).isEqualTo(2);
        assertThat(s.iterations.get(2).findings().info()).isEqualTo(2);
        assertThat(s.steps.get("1/fix").durationSeconds()).isEqualTo(12.5);
    }

    @Test
    void convergenceEndsTheSessionConverged() throws Exception {
        apply(3, "VALIDATING", "STEP_COMPLETE", "{\"step\":\"validate\"}");
        apply(3, null, "CONVERGENCE_REACHED", "{\"iterations\":3}");
        apply(3, "CONVERGED", "SESSION_ENDED", "{}");

        assertThat(s.session.status()).isEqualTo(SessionStatus.CONVERGED);
        assertThat(s.session.currentState()).isEqualTo("CONVERGED");
        assertThat(s.session.endTime()).isNotNull();
    }

    @Test
    void aFailedLoopIsNeverShownAsCompleted() throws Exception {
        apply(2, "ATTACKING", "STEP_FAILED", "{\"step\":\"attack\",\"error\":\"timeout\"}");
        apply(2, "FAILED", "ERROR", "{\"error\":\"timeout\",\"fatal\":true}");
        apply(2, "FAILED", "SESSION_ENDED", "{\"status\":\"completed\"}");

        assertThat(s.session.status()).isEqualTo(SessionStatus.FAILED);
        assertThat(s.steps.get("2/attack").status()).isEqualTo("failed");
    }

    @Test
    void aLateReplayedEventDoesNotMoveTheStateBack() throws Exception {
        Event later = new Event("b", "s1", T0.plusSeconds(100), 2, "FIXING", "STATE_CHANGED", "{}");
        Event earlier = new Event("a", "s1", T0.plusSeconds(50), 1, "DIAGNOSING", "STATE_CHANGED", "{}");

        Aggregation.apply(s, later, JSON.createObjectNode());
        Aggregation.apply(s, earlier, JSON.createObjectNode());

        assertThat(s.session.currentState()).isEqualTo("FIXING");
        assertThat(s.session.currentIteration()).isEqualTo(2);
    }

    @Test
    void aReplayedStepStartDoesNotUndoItsCompletion() throws Exception {
        apply(1, "FIXING", "STEP_COMPLETE", "{\"step\":\"fix\",\"duration_seconds\":4}");
        Aggregation.Changes c = apply(1, "FIXING", "STEP_STARTED", "{\"step\":\"fix\"}");

        assertThat(c.steps()).isEmpty();
        assertThat(s.steps.get("1/fix").status()).isEqualTo("complete");
    }
}
