package io.kimi.services.internal.convergence;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.Findings;
import io.kimi.core.store.ConvergenceFigures;
import io.kimi.services.internal.metrics.ServerMetrics;
import io.kimi.testing.PrometheusText;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The convergence meters keep a bounded set of series whatever names a loop sends, and add up changes. */
class ConvergenceMetersTest {
    private static final ConvergenceFigures STORED = new ConvergenceFigures(2, 1, 0, 0, 7,
            new Findings(1, 0, 0, 0, 4), 3, 1);

    @Test
    void stepNamesAndBridgeStatesOutsideTheFixedSetsAreOther() {
        try (ServerMetrics metrics = new ServerMetrics()) {
            ConvergenceMeters meters = new ConvergenceMeters(metrics.registry(), STORED);
            AtomicReference<BridgeStatus> bridge = new AtomicReference<>(BridgeStatus.disabled());
            meters.bridge(bridge::get);
            for (int i = 0; i < 1_000; i++) {
                meters.stepDuration("step-" + i, 1.5);
            }
            meters.stepDuration("Diagnose", 2.0);
            bridge.set(new BridgeStatus("reticulating", null, null, null, 0, 0, 0, 0, 0, 0, null, null));

            PrometheusText s = PrometheusText.parse(metrics.scrape());

            assertThat(s.samples("kimi_convergence_step_duration_seconds_count", Map.of()))
                    .extracting(sample -> sample.labels().get("step"))
                    .containsExactlyInAnyOrder("diagnose", "fix", "attack", "validate", "other");
            assertThat(s.value("kimi_convergence_step_duration_seconds_count", Map.of("step", "other")))
                    .isEqualTo(1_000);
            assertThat(s.value("kimi_convergence_step_duration_seconds_count", Map.of("step", "diagnose")))
                    .isEqualTo(1);
            assertThat(s.value("kimi_convergence_bridge_state", Map.of("state", "other"))).isEqualTo(1);
            assertThat(s.sum("kimi_convergence_bridge_state", Map.of())).isEqualTo(1);
            assertThat(s.samples("kimi_convergence_bridge_state", Map.of())).hasSize(6);
        }
    }

    @Test
    void gaugesStartFromTheStoredFiguresAndFollowChangesAndDeletions() {
        try (ServerMetrics metrics = new ServerMetrics()) {
            ConvergenceMeters meters = new ConvergenceMeters(metrics.registry(), STORED);
            ConvergenceFigures running = new ConvergenceFigures(1, 0, 0, 0, 2, new Findings(0, 1, 0, 0, 0), 1, 0);
            ConvergenceFigures converged = new ConvergenceFigures(0, 1, 0, 0, 3, new Findings(0, 1, 0, 2, 0), 2, 1);

            meters.changed(ConvergenceFigures.ZERO, running);
            meters.changed(running, converged);
            meters.removed(new ConvergenceFigures(1, 0, 0, 0, 4, new Findings(1, 0, 0, 0, 0), 0, 0));

            PrometheusText s = PrometheusText.parse(metrics.scrape());
            assertThat(s.value("kimi_convergence_sessions", Map.of("status", "running"))).isEqualTo(1);
            assertThat(s.value("kimi_convergence_sessions", Map.of("status", "converged"))).isEqualTo(2);
            assertThat(s.value("kimi_convergence_iterations", Map.of())).isEqualTo(7 + 3 - 4);
            assertThat(s.value("kimi_convergence_findings", Map.of("severity", "critical"))).isZero();
            assertThat(s.value("kimi_convergence_findings", Map.of("severity", "high"))).isEqualTo(1);
            assertThat(s.value("kimi_convergence_findings", Map.of("severity", "low"))).isEqualTo(2);
            assertThat(s.value("kimi_convergence_findings", Map.of("severity", "info"))).isEqualTo(4);
            assertThat(s.value("kimi_convergence_fixes", Map.of())).isEqualTo(5);
            assertThat(s.value("kimi_convergence_vulnerabilities", Map.of())).isEqualTo(2);
            assertThat(meters.figures().sessions()).isEqualTo(3);
        }
    }
}
