package io.kimi.core.store.sqlite;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.ServerJson;
import io.kimi.core.store.StoreException;
import java.util.List;

/** A list of strings (a compaction's message hashes) as the JSON array text stored in one column. */
final class HashListJson {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final ObjectMapper mapper = ServerJson.newMapper();

    String write(List<String> values) {
        try {
            return mapper.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new StoreException("cannot write " + values.size() + " strings as JSON: " + e.getMessage(), e);
        }
    }

    /** Reads a JSON array of strings; {@code column} names the value in the error when it is not one. */
    List<String> read(String json, String column) {
        try {
            List<String> values = mapper.readValue(json, STRINGS);
            if (values == null) {
                throw new StoreException(column + ": null (expected: a JSON array of strings)");
            }
            return values;
        } catch (JsonProcessingException e) {
            throw new StoreException(column + ": not a JSON array of strings: " + e.getOriginalMessage(), e);
        }
    }
}
