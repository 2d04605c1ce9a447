package io.kimi.features.compaction;

import static io.kimi.features.compaction.Chat.assistant;
import static io.kimi.features.compaction.Chat.call;
import static io.kimi.features.compaction.Chat.tool;
import static io.kimi.features.compaction.Chat.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranscriptTest {

    @Test
    void rendersRolesToolCallsAndCutsLongToolOutputsHeadAndTail() {
        String transcript = Transcript.render(List.of(
                user("Fix the parser"),
                call("c1", "read_file", "{\"path\":\"Parser.java\"}"),
                tool("c1", "HEAD" + "x".repeat(10_000) + "TAIL"),
                assistant("Fixed.")));

        assertThat(transcript).startsWith("[1] user: Fix the parser\n[2] assistant: \n"
                + "    -> calls read_file {\"path\":\"Parser.java\"}\n[3] tool: HEAD")
                .contains("TAIL\n[4] assistant: Fixed.\n")
                .contains("[... 7008 characters omitted ...]");
    }

    @Test
    void cutsEveryMessageShorterSoThatAWholeLongConversationFits() {
        List<JsonNode> messages = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            messages.add(user("ask " + i));
            messages.add(call("c" + i, "read_file", "{\"path\":\"F" + i + ".java\"}"));
            messages.add(tool("c" + i, "START" + i + " " + "y".repeat(5_000)));
        }

        String transcript = Transcript.render(messages);

        assertThat(transcript.length()).isLessThanOrEqualTo(Transcript.TOTAL_CHARS);
        // the middle of the conversation is still there, only shorter
        assertThat(transcript).contains("ask 0\n", "ask 150\n", "START150 ", "ask 299\n", "F299.java");
    }
}
