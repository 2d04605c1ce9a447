package io.kimi.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The harness's result lines: one flat JSON object per measurement, written and read with Jackson. */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result is not serialisable", e);
        }
    }

    static JsonNode read(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }

    static JsonNode read(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
    }

    /** {@code <prefix>_p50_us}, p90, p99, p999, max and count of a histogram recorded in microseconds. */
    static void putPercentiles(Map<String, Object> out, String prefix, Histogram h) {
        out.put(prefix + "_count", h.getTotalCount());
        out.put(prefix + "_p50_us", h.getValueAtPercentile(50));
        out.put(prefix + "_p90_us", h.getValueAtPercentile(90));
        out.put(prefix + "_p99_us", h.getValueAtPercentile(99));
        out.put(prefix + "_p999_us", h.getValueAtPercentile(99.9));
        out.put(prefix + "_max_us", h.getMaxValue());
    }
}
