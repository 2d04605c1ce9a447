package io.kimi.features.compaction;

import static io.kimi.features.compaction.Chat.array;
import static io.kimi.features.compaction.Chat.assistant;
import static io.kimi.features.compaction.Chat.call;
import static io.kimi.features.compaction.Chat.system;
import static io.kimi.features.compaction.Chat.tool;
import static io.kimi.features.compaction.Chat.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.kimi.config.CompactionConfig;
import io.kimi.features.MessageHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompactionPlannerTest {

    private static CompactionPlanner planner(int keepLastExchanges, int minMessages) {
        return new CompactionPlanner(new CompactionConfig(true, true, 0.85, keepLastExchanges, minMessages,
                Duration.ofMinutes(5), 3, null, Duration.ofSeconds(5)));
    }

    @Test
    void keepsTheLeadingSystemBlockAndTheLastExchanges() {
        ArrayNode messages = array(system("rules"), system("more rules"),
                user("u1"), assistant("a1"), user("u2"), assistant("a2"),
                user("u3"), assistant("a3"), user("u4"), assistant("a4"));

        CompactionPlan plan = planner(2, 4).plan(messages).orElseThrow();

        assertThat(plan.start()).isEqualTo(2);
        assertThat(plan.end()).isEqualTo(6);
        assertThat(plan.replaced()).containsExactly(messages.get(2), messages.get(3), messages.get(4),
                messages.get(5));
        assertThat(plan.hashes()).containsExactly(MessageHash.ofMessage(messages.get(2)),
                MessageHash.ofMessage(messages.get(3)), MessageHash.ofMessage(messages.get(4)),
                MessageHash.ofMessage(messages.get(5)));
    }

    @Test
    void anExchangeRunsFromAUserMessageToTheNextOne() {
        ArrayNode messages = array(system("rules"),
                user("u1"), assistant("a1"), assistant("a1 again"),
                user("u2"), assistant("a2"), system("a reminder in the middle"),
                user("u3"), assistant("a3"));

        CompactionPlan plan = planner(1, 0).plan(messages).orElseThrow();

        assertThat(plan.start()).isEqualTo(1);
        assertThat(plan.end()).isEqualTo(7);
        assertThat(plan.replaced()).contains(messages.get(6)); // a system message after the leading block goes too
    }

    @Test
    void neverSeparatesToolCallsFromTheirResults() {
        List<JsonNode> list = new ArrayList<>();
        list.add(system("agent rules"));
        for (int task = 0; task < 3; task++) {
            list.add(user("task " + task));
            for (int step = 0; step < 4; step++) {
                String id = "call_" + task + "_" + step;
                list.add(call(id, "read_file", "{\"path\":\"f" + step + "\"}"));
                list.add(tool(id, "contents " + step));
                if (step == 2) { // two results for one message with two calls
                    list.add(tool(id + "b", "second result"));
                }
            }
            list.add(assistant("done with task " + task));
        }
        ArrayNode messages = array(list);

        for (int keep = 1; keep <= 16; keep++) {
            var plan = planner(keep, 0).plan(messages);
            if (plan.isEmpty()) {
                continue;
            }
            int end = plan.get().end();
            String roleAtCut = messages.get(end).path("role").asText();
            assertThat(roleAtCut).as("keep %d", keep).isIn("user", "assistant");
            // every tool result that is kept follows its assistant message, which is kept too
            Set<String> keptCalls = new HashSet<>();
            for (int i = end; i < messages.size(); i++) {
                JsonNode m = messages.get(i);
                m.path("tool_calls").forEach(c -> keptCalls.add(c.path("id").asText()));
                if (m.path("role").asText().equals("tool")) {
                    String id = m.path("tool_call_id").asText();
                    assertThat(keptCalls.contains(id) || keptCalls.contains(id.replaceAll("b$", "")))
                            .as("keep %d: result %s kept with its call", keep, id).isTrue();
                }
            }
        }
    }

    @Test
    void compactsWithinOneLongAgentTask() {
        List<JsonNode> list = new ArrayList<>();
        list.add(system("agent rules"));
        list.add(user("fix the build"));
        for (int step = 0; step < 10; step++) {
            list.add(call("c" + step, "run", "{\"command\":\"mvn test\"}"));
            list.add(tool("c" + step, "BUILD FAILURE " + step));
        }
        list.add(assistant("fixed"));
        ArrayNode messages = array(list);

        CompactionPlan plan = planner(4, 8).plan(messages).orElseThrow();

        assertThat(plan.start()).isEqualTo(1);
        // kept: the last three tool steps (call + result) and the final answer
        assertThat(messages.size() - plan.end()).isEqualTo(3 * 2 + 1);
        assertThat(messages.get(plan.end()).path("tool_calls").isArray()).isTrue();
    }

    @Test
    void keepsWholeUserExchangesWhenThereAreEnoughOfThem() {
        List<JsonNode> list = new ArrayList<>();
        list.add(system("agent rules"));
        for (int task = 0; task < 4; task++) {
            list.add(user("task " + task));
            for (int step = 0; step < 3; step++) {
                list.add(call("c" + task + step, "run", "{\"command\":\"make\"}"));
                list.add(tool("c" + task + step, "ok"));
            }
            list.add(assistant("done " + task));
        }
        ArrayNode messages = array(list);

        CompactionPlan plan = planner(2, 0).plan(messages).orElseThrow();

        assertThat(plan.end()).isEqualTo(1 + 2 * 8); // tasks 2 and 3 are kept whole
        assertThat(messages.get(plan.end()).path("content").asText()).isEqualTo("task 2");
    }

    @Test
    void anEarlierSummaryIsReplacedWithTheRunNotKept() {
        ArrayNode messages = array(system("rules"),
                system(SummaryMessage.content("cmp_1", 10, 500, "earlier work")),
                user("u1"), assistant("a1"), user("u2"), assistant("a2"));

        CompactionPlan plan = planner(1, 0).plan(messages).orElseThrow();

        assertThat(plan.start()).isEqualTo(1);
        assertThat(plan.replaced().get(0)).isEqualTo(messages.get(1));
    }

    @Test
    void nothingWhenTooFewMessagesBesidesSystemMessages() {
        ArrayNode messages = array(system("rules"), system("more"), user("u1"), assistant("a1"), user("u2"),
                assistant("a2"), user("u3"), assistant("a3"));
        CompactionPlanner planner = planner(1, 7);

        assertThat(planner.plan(messages)).isEmpty();
        assertThat(planner.whyNot(messages)).contains("6 messages besides system messages", "at least 7");
        assertThat(planner(1, 6).plan(messages)).isPresent();
    }

    @Test
    void nothingWhenEverythingIsWithinTheKeptExchanges() {
        ArrayNode messages = array(system("rules"), user("u1"), assistant("a1"), user("u2"), assistant("a2"));
        CompactionPlanner planner = planner(2, 0);

        assertThat(planner.plan(messages)).isEmpty();
        assertThat(planner.whyNot(messages)).contains("last 2 exchanges");
        assertThat(planner(3, 0).plan(messages)).isEmpty();
    }

    @Test
    void nothingWhenTheRunWouldBeASingleMessage() {
        ArrayNode messages = array(system("rules"), assistant("greeting"), user("u1"), assistant("a1"));

        assertThat(planner(1, 0).plan(messages)).isEmpty();
    }

    @Test
    void nothingForAnEmptyConversationOrOnlySystemMessages() {
        assertThat(planner(1, 0).plan(array())).isEmpty();
        assertThat(planner(1, 0).plan(array(system("a"), system("b"), system("c")))).isEmpty();
    }

    @Test
    void neverChangesTheMessages() {
        ArrayNode messages = Chat.conversation(10);
        String before = messages.toString();

        planner(2, 0).plan(messages).orElseThrow();

        assertThat(messages.toString()).isEqualTo(before);
    }
}
