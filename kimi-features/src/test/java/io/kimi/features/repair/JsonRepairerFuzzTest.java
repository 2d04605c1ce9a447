package io.kimi.features.repair;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes {@link JsonRepairer} with the argument strings a model may write. Oracle: it never throws; what it
 * returns is exactly one JSON object or array that strict Jackson parses; text that already was valid JSON
 * (within the repairer's depth limit) comes back as the same JSON; and repairing a repair changes nothing.
 * Corpus: {@code src/test/resources/io/kimi/features/repair/JsonRepairerFuzzTestInputs/}.
 */
class JsonRepairerFuzzTest {
    private static final long FAR = Long.MAX_VALUE / 2;
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A clock that never moves: only the repairer's own work ends a run, so results are reproducible. */
    private final JsonRepairer repairer = new JsonRepairer(() -> 0L);

    @FuzzTest(maxDuration = "3m")
    void repairedTextIsOneJsonContainerAndValidJsonIsKept(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);

        JsonRepairer.Outcome outcome = repairer.repair(text, FAR);

        JsonNode original = parseOrNull(text);
        boolean validContainer = original != null && original.isContainerNode()
                && depth(original) <= JsonRepairer.MAX_DEPTH;
        if (outcome.json() == null) {
            assertThat(outcome.failure()).isEqualTo(JsonRepairer.Failure.UNREPAIRABLE);
            assertThat(validContainer).as("valid JSON given up: %s", text).isFalse();
            return;
        }
        assertThat(outcome.failure()).isEqualTo(JsonRepairer.Failure.NONE);
        JsonNode repaired = parseOrNull(outcome.json());
        assertThat(repaired).as("repair of %s gave invalid JSON: %s", text, outcome.json()).isNotNull();
        assertThat(repaired.isContainerNode()).as("not an object or array: %s", outcome.json()).isTrue();
        if (validContainer) {
            assertThat(repaired).as("valid JSON changed: %s", text).isEqualTo(original);
        }
        JsonRepairer.Outcome again = repairer.repair(outcome.json(), FAR);
        assertThat(again.json()).as("repairing the repair of %s", text).isNotNull();
        assertThat(parseOrNull(again.json())).isEqualTo(repaired);
    }

    private static JsonNode parseOrNull(String text) {
        try {
            return STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static int depth(JsonNode node) {
        int max = 0;
        for (JsonNode child : node) {
            max = Math.max(max, depth(child));
        }
        return node.isContainerNode() ? max + 1 : max;
    }
}
