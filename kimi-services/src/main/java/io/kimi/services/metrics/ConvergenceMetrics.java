package io.kimi.services.metrics;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.Event;
import io.kimi.core.EventTypes;
import io.kimi.core.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Summarises a convergence session's event log per iteration (seed 002's {@code /api/sessions/{id}/metrics}).
 *
 * <p>What is read, from events whose {@code iteration} is 1 or more (earlier ones belong to no iteration):
 * <ul>
 * <li>findings: {@code data.findings} of STEP_COMPLETE and METRICS events: an object of counts by severity
 *     ({@code {"critical":1,"high":2,...}}, summed), a number, or a list of findings (its length);</li>
 * <li>fixes: {@code data.fixes} of the same events: a number or a list (its length);</li>
 * <li>step durations: per STEP_COMPLETE event, {@code data.step} with {@code data.duration_seconds} (or
 *     {@code data.duration}, in seconds), else the time since the STEP_STARTED event of the same step and
 *     iteration; a step run twice in one iteration adds up.</li>
 * </ul>
 * Thread-safe.
 */
public final class ConvergenceMetrics {
    private static final Logger log = LoggerFactory.getLogger(ConvergenceMetrics.class);
    private static final List<String> SEVERITIES = List.of("critical", "high", "medium", "low", "info");

    private final ObjectMapper json;

    public ConvergenceMetrics(ObjectMapper json) {
        this.json = requireNonNull(json, "json");
    }

    /** Summarises the session from its events, oldest first. */
    public ConvergenceSummary summarize(Session session, List<Event> events) {
        requireNonNull(session, "session");
        requireNonNull(events, "events");
        int iterations = Math.max(0, session.currentIteration());
        for (Event e : events) {
            iterations = Math.max(iterations, e.iteration());
        }
        long[] findings = new long[iterations];
        long[] fixes = new long[iterations];
        Map<String, double[]> steps = new LinkedHashMap<>();
        Map<String, Instant> started = new HashMap<>();
        for (Event e : events) {
            int i = e.iteration() - 1;
            if (i < 0) {
                continue;
            }
            JsonNode data = parse(e);
            String type = e.eventType();
            if (type.equals(EventTypes.STEP_COMPLETE) || type.equals(EventTypes.METRICS)) {
                findings[i] += findingCount(data.path("findings"));
                fixes[i] += count(data.path("fixes"));
            }
            String step = data.path("step").isTextual() ? data.path("step").asText() : null;
            if (step == null) {
                continue;
            }
            if (type.equals(EventTypes.STEP_STARTED)) {
                started.put(e.iteration() + "/" + step, e.timestamp());
            } else if (type.equals(EventTypes.STEP_COMPLETE)) {
                Double seconds = duration(data, started.remove(e.iteration() + "/" + step), e.timestamp());
                double[] perIteration = steps.computeIfAbsent(step, s -> new double[findings.length]);
                if (seconds != null) {
                    perIteration[i] += seconds;
                }
            }
        }
        Map<String, List<Double>> stepDurations = new LinkedHashMap<>();
        steps.forEach((step, values) -> {
            List<Double> list = new ArrayList<>(values.length);
            for (double v : values) {
                list.add(Math.round(v * 1000) / 1000.0);
            }
            stepDurations.put(step, list);
        });
        return new ConvergenceSummary(iterations, boxed(findings), boxed(fixes), stepDurations);
    }

    private JsonNode parse(Event e) {
        try {
            return json.readTree(e.dataJson());
        } catch (JsonProcessingException ex) {
            log.warn("Event {} of session {} has data that is not JSON; its metrics are ignored", e.eventId(),
                    e.sessionId(), ex);
            return json.createObjectNode();
        }
    }

    /** An object of counts by severity (summed), a number, or a list of findings. */
    private static long findingCount(JsonNode findings) {
        if (findings.isObject()) {
            long total = 0;
            for (String severity : SEVERITIES) {
                total += nonNegative(findings.path(severity));
            }
            return total;
        }
        return count(findings);
    }

    private static long count(JsonNode node) {
        return node.isArray() ? node.size() : nonNegative(node);
    }

    private static long nonNegative(JsonNode node) {
        return node.isNumber() ? Math.max(0, node.asLong()) : 0;
    }

    private static Double duration(JsonNode data, Instant started, Instant completed) {
        for (String field : List.of("duration_seconds", "duration")) {
            JsonNode v = data.path(field);
            if (v.isNumber() && v.asDouble() >= 0) {
                return v.asDouble();
            }
        }
        if (started != null && !completed.isBefore(started)) {
            return Duration.between(started, completed).toNanos() / 1e9;
        }
        return null;
    }

    private static List<Long> boxed(long[] values) {
        List<Long> list = new ArrayList<>(values.length);
        for (long v : values) {
            list.add(v);
        }
        return list;
    }
}
