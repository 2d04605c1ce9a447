package io.kimi.services.internal.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A convergence session's metrics per iteration (seed 002's session metrics), laid out by
 * {@link ConvergenceMetrics}. Lists are indexed by iteration: element 0 is iteration 1, and every list has
 * {@code iterations} elements (0 where nothing was reported).
 *
 * @param iterations the highest iteration reached (the session's current iteration, or a stored iteration's
 *     or step's)
 * @param findingsPerIteration findings of each iteration, every severity summed
 * @param fixesPerIteration fixes of each iteration
 * @param stepDurations per step name (the loop's steps first, in the order it runs them), its duration in
 *     seconds in each iteration
 */
public record ConvergenceSummary(
        int iterations,
        List<Long> findingsPerIteration,
        List<Long> fixesPerIteration,
        Map<String, List<Double>> stepDurations) {

    public ConvergenceSummary {
        findingsPerIteration = List.copyOf(findingsPerIteration);
        fixesPerIteration = List.copyOf(fixesPerIteration);
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        stepDurations.forEach((step, durations) -> copy.put(step, List.copyOf(durations)));
        stepDurations = Collections.unmodifiableMap(copy);
    }
}
