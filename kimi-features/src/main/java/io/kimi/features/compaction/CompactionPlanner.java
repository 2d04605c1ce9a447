package io.kimi.features.compaction;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kimi.config.CompactionConfig;
import io.kimi.features.MessageHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Chooses which messages a compaction replaces. Pure: the same messages and config give the same plan.
 *
 * <p>Kept as they are: the leading system block (the client's system or developer messages before the first
 * other message; an earlier compaction's summary is not part of it, so a later compaction folds it into its own
 * summary), and the last {@code keepLastExchanges} exchanges, an exchange beginning at a user message. When the
 * conversation has too few user messages for that to leave anything to replace (an agent working through tools
 * on one long task), the last {@code keepLastExchanges} agent steps are kept instead, a step beginning at a user
 * message or at an assistant message that follows a tool result. Either way a cut is never at a tool result, so
 * it never separates an assistant's tool calls from their results. What lies between is replaced, when it holds
 * at least two messages and the conversation holds at least {@code minMessages} messages besides client system
 * messages.
 */
final class CompactionPlanner {
    private static final int MIN_RUN = 2;

    private final CompactionConfig config;

    CompactionPlanner(CompactionConfig config) {
        this.config = requireNonNull(config, "config");
    }

    /** The run to replace, or empty when the conversation is too short. Never changes {@code messages}. */
    Optional<CompactionPlan> plan(ArrayNode messages) {
        requireNonNull(messages, "messages");
        int start = Messages.leadingSystemCount(messages);
        if (countCompactable(messages) < config.minMessages()) {
            return Optional.empty();
        }
        int end = keptTailStart(messages, start, false);
        if (end - start < MIN_RUN) {
            end = keptTailStart(messages, start, true);
        }
        if (end - start < MIN_RUN) {
            return Optional.empty();
        }
        List<JsonNode> replaced = new ArrayList<>(end - start);
        List<String> hashes = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            JsonNode message = messages.get(i);
            replaced.add(message);
            hashes.add(MessageHash.ofMessage(message));
        }
        return Optional.of(new CompactionPlan(start, end, replaced, hashes));
    }

    /** Why {@link #plan} found nothing to replace, in words for the user. */
    String whyNot(ArrayNode messages) {
        int compactable = countCompactable(messages);
        if (compactable < config.minMessages()) {
            return "the conversation has " + compactable + " messages besides system messages (compaction needs at"
                    + " least " + config.minMessages() + ")";
        }
        return "everything after the system messages lies within the last " + config.keepLastExchanges()
                + " exchanges (or agent steps), which are kept";
    }

    /**
     * Index of the first kept message: the start of the {@code keepLastExchanges}-th exchange (or agent step)
     * from the end, or {@code start} when there are not that many after the leading system block.
     */
    private int keptTailStart(ArrayNode messages, int start, boolean agentSteps) {
        int exchanges = 0;
        for (int i = messages.size() - 1; i >= start; i--) {
            boolean begins = agentSteps ? beginsStep(messages, i) : "user".equals(Messages.role(messages.get(i)));
            if (begins && ++exchanges == config.keepLastExchanges()) {
                return i;
            }
        }
        return start;
    }

    private static boolean beginsStep(ArrayNode messages, int i) {
        String role = Messages.role(messages.get(i));
        if ("user".equals(role)) {
            return true;
        }
        if (!"assistant".equals(role) || i == 0) {
            return false;
        }
        String previous = Messages.role(messages.get(i - 1));
        return "tool".equals(previous) || "function".equals(previous);
    }

    private static int countCompactable(ArrayNode messages) {
        int count = 0;
        for (JsonNode message : messages) {
            if (!Messages.isClientSystem(message)) {
                count++;
            }
        }
        return count;
    }
}
