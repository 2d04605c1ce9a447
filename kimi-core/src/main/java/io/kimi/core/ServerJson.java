package io.kimi.core;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The server's one JSON configuration: every module from kimi-core up gets its mapper here (the server builds one
 * and hands it on where a class takes it; classes with no such path yet call {@link #newMapper()} once). Jackson's
 * defaults, plus BigDecimals written plain (no exponent; the CSV/JSON exports rely on it). The wire records are
 * in {@code kimi-protocol}; kimi-client has its own mapper.
 */
public final class ServerJson {
    private ServerJson() {
    }

    /** A mapper with the server's configuration. Thread-safe once built; build one per component, not per call. */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                .build();
    }
}
