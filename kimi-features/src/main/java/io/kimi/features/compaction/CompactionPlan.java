package io.kimi.features.compaction;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The run of a conversation a compaction would replace: messages {@code [start, end)}.
 *
 * @param start index of the first replaced message
 * @param end index just after the last replaced message
 * @param replaced the replaced messages, in order
 * @param hashes their {@link io.kimi.features.MessageHash#ofMessage hashes}, in order
 */
record CompactionPlan(int start, int end, List<JsonNode> replaced, List<String> hashes) {

    CompactionPlan {
        replaced = List.copyOf(replaced);
        hashes = List.copyOf(hashes);
        if (end - start != replaced.size() || replaced.size() != hashes.size()) {
            throw new IllegalArgumentException("plan: [" + start + ", " + end + ") with " + replaced.size()
                    + " messages and " + hashes.size() + " hashes (expected: the same count)");
        }
    }
}
