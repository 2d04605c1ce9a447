package io.kimi.services.internal.metrics;

import static java.util.Objects.requireNonNull;

import io.kimi.core.IterationStats;
import io.kimi.core.Session;
import io.kimi.core.StepStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays out a convergence session's stored iterations and steps ({@code SessionReads.listIterations},
 * {@code SessionReads.listSteps}) per iteration, as seed 002's {@code /api/sessions/{id}/metrics} shows them. The
 * aggregates are maintained as events arrive, so this never reads the event log.
 *
 * <p>Lists are indexed by iteration number (element 0 is iteration 1) and are as long as the highest iteration
 * known: the session's current iteration, or a stored iteration or step. An iteration without a stored row
 * counts 0; iteration 0 belongs to no iteration. Step durations are listed per step name: the loop's steps
 * ({@code diagnose}, {@code fix}, {@code attack}, {@code validate}) first in that order, then any other in the
 * order first stored; 0 where the step did not run or has no duration yet.
 */
public final class ConvergenceMetrics {
    /** The steps of one iteration, in the order the loop runs them. */
    private static final List<String> LOOP_STEPS = List.of("diagnose", "fix", "attack", "validate");

    private ConvergenceMetrics() {
    }

    /**
     * @param session the convergence session
     * @param iterations its stored iterations, by iteration number
     * @param steps its stored steps, by iteration number then step name
     */
    public static ConvergenceSummary summarize(Session session, List<IterationStats> iterations,
            List<StepStats> steps) {
        requireNonNull(session, "session");
        requireNonNull(iterations, "iterations");
        requireNonNull(steps, "steps");
        int count = Math.max(0, session.currentIteration());
        for (IterationStats it : iterations) {
            count = Math.max(count, it.iteration());
        }
        for (StepStats step : steps) {
            count = Math.max(count, step.iteration());
        }
        long[] findings = new long[count];
        long[] fixes = new long[count];
        for (IterationStats it : iterations) {
            if (it.iteration() >= 1) {
                findings[it.iteration() - 1] = it.findings().total();
                fixes[it.iteration() - 1] = it.fixes();
            }
        }
        return new ConvergenceSummary(count, boxed(findings), boxed(fixes), stepDurations(steps, count));
    }

    private static Map<String, List<Double>> stepDurations(List<StepStats> steps, int count) {
        Map<String, double[]> byStep = new LinkedHashMap<>();
        for (String step : LOOP_STEPS) {
            if (steps.stream().anyMatch(s -> s.step().equals(step) && s.iteration() >= 1)) {
                byStep.put(step, new double[count]);
            }
        }
        for (StepStats step : steps) {
            if (step.iteration() < 1) {
                continue;
            }
            double[] perIteration = byStep.computeIfAbsent(step.step(), s -> new double[count]);
            Double seconds = step.durationSeconds();
            if (seconds != null && seconds > 0) {
                perIteration[step.iteration() - 1] = Math.round(seconds * 1000) / 1000.0;
            }
        }
        Map<String, List<Double>> durations = new LinkedHashMap<>();
        byStep.forEach((step, values) -> {
            List<Double> list = new ArrayList<>(values.length);
            for (double v : values) {
                list.add(v);
            }
            durations.put(step, list);
        });
        return durations;
    }

    private static List<Long> boxed(long[] values) {
        List<Long> list = new ArrayList<>(values.length);
        for (long v : values) {
            list.add(v);
        }
        return list;
    }
}
