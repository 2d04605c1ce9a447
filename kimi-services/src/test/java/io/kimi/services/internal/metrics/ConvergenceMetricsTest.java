package io.kimi.services.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.ConvergenceTotals;
import io.kimi.core.Findings;
import io.kimi.core.IterationStats;
import io.kimi.core.Session;
import io.kimi.core.SessionKind;
import io.kimi.core.SessionStatus;
import io.kimi.core.SessionTotals;
import io.kimi.core.StepStats;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConvergenceMetricsTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    @Test
    void findingsFixesAndStepDurationsAreLaidOutPerIteration() {
        List<IterationStats> iterations = List.of(
                iteration(1, new Findings(1, 2, 0, 5, 0), 3),
                iteration(2, new Findings(0, 0, 2, 0, 1), 2));
        List<StepStats> steps = List.of(
                step(1, "attack", 300.0),
                step(1, "diagnose", 120.0),
                step(1, "fix", 200.0),
                step(1, "validate", 180.0),
                step(2, "diagnose", 110.5));

        ConvergenceSummary summary = ConvergenceMetrics.summarize(session(2), iterations, steps);

        assertThat(summary.iterations()).isEqualTo(2);
        assertThat(summary.findingsPerIteration()).containsExactly(8L, 3L);
        assertThat(summary.fixesPerIteration()).containsExactly(3L, 2L);
        // the loop's order, not the stored (alphabetical) one
        assertThat(summary.stepDurations().keySet()).containsExactly("diagnose", "fix", "attack", "validate");
        assertThat(summary.stepDurations().get("diagnose")).containsExactly(120.0, 110.5);
        assertThat(summary.stepDurations().get("fix")).containsExactly(200.0, 0.0);
        assertThat(summary.stepDurations().get("attack")).containsExactly(300.0, 0.0);
    }

    @Test
    void listsCoverEveryIterationUpToTheSessionsOrTheHighestStored() {
        // iteration 2 has no row, iteration 0 belongs to no iteration, the session is still at iteration 1
        List<IterationStats> iterations = List.of(
                iteration(0, new Findings(100, 0, 0, 0, 0), 100),
                iteration(1, new Findings(0, 0, 0, 0, 1), 1),
                iteration(3, new Findings(0, 0, 0, 4, 0), 0));
        List<StepStats> steps = List.of(
                step(0, "diagnose", 99.0),
                step(1, "diagnose", null),
                step(2, "lint", 1.23456),
                step(4, "diagnose", 7.0));

        ConvergenceSummary summary = ConvergenceMetrics.summarize(session(1), iterations, steps);

        assertThat(summary.iterations()).isEqualTo(4);
        assertThat(summary.findingsPerIteration()).containsExactly(1L, 0L, 4L, 0L);
        assertThat(summary.fixesPerIteration()).containsExactly(1L, 0L, 0L, 0L);
        assertThat(summary.stepDurations().keySet()).containsExactly("diagnose", "lint");
        assertThat(summary.stepDurations().get("diagnose")).containsExactly(0.0, 0.0, 0.0, 7.0);
        assertThat(summary.stepDurations().get("lint")).containsExactly(0.0, 1.235, 0.0, 0.0);
    }

    @Test
    void aSessionWithNothingStoredHasZerosUpToItsCurrentIteration() {
        ConvergenceSummary started = ConvergenceMetrics.summarize(session(3), List.of(), List.of());
        ConvergenceSummary fresh = ConvergenceMetrics.summarize(session(0), List.of(), List.of());

        assertThat(started.findingsPerIteration()).containsExactly(0L, 0L, 0L);
        assertThat(started.fixesPerIteration()).containsExactly(0L, 0L, 0L);
        assertThat(started.stepDurations()).isEmpty();
        assertThat(fresh.iterations()).isZero();
        assertThat(fresh.findingsPerIteration()).isEmpty();
    }

    private static IterationStats iteration(int iteration, Findings findings, long fixes) {
        return new IterationStats("c1", iteration, findings, fixes, 0, null, null, null, null);
    }

    private static StepStats step(int iteration, String name, Double seconds) {
        return new StepStats("c1", iteration, name, seconds, seconds == null ? "started" : "complete");
    }

    private static Session session(int iteration) {
        return new Session("c1", SessionKind.CONVERGENCE, null, "repo", SessionStatus.RUNNING, T0, null,
                "DIAGNOSING", iteration, "{}", null, null, 0, SessionTotals.ZERO, false, ConvergenceTotals.ZERO);
    }
}
