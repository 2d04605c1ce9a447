package io.kimi.features.repair;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.ToolRepairConfig;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.features.TransformContext;
import io.kimi.features.Transformed;
import io.kimi.testing.ToolHeavyConversation;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class ToolCallRepairTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TokenCounter COUNTER = new TokenCounter(64L << 20);
    private static final TransformContext CONTEXT = new TransformContext("s1", "r1", "gpt-4o",
            TokenEncoding.CL100K_BASE, 128_000, COUNTER, Instant.parse("2024-05-01T12:00:00Z"));

    /**
     * A clock that stands still: the repair budget is measured with it, so what a test expects never depends on
     * how busy the machine is (the real clock let a loaded run spend the default 50 ms budget and skip a repair).
     * Budget exhaustion is tested with a zero budget, which is spent at once on any clock.
     */
    private static final LongSupplier FROZEN = () -> 0L;

    private final ToolCallRepair repair = new ToolCallRepair(ToolRepairConfig.DEFAULT, FROZEN);

    private static ArrayNode messages(String json) throws Exception {
        return (ArrayNode) MAPPER.readTree(json.replace('`', '"'));
    }

    private static String call(String id, String name, String argumentsJson) {
        String idField = id == null ? "" : "`id`:`" + id + "`,";
        return "{" + idField + "`type`:`function`,`function`:{`name`:`" + name + "`,`arguments`:" + argumentsJson
                + "}}";
    }

    private Transformed apply(ArrayNode messages) {
        String before = messages.toString();
        Transformed out = repair.apply(messages, CONTEXT);
        assertThat(messages.toString()).as("input must not be mutated").isEqualTo(before);
        return out;
    }

    @Test
    void givesCallsWithoutIdAnIdDerivedFromTheMessage() throws Exception {
        ArrayNode in = messages("[{`role`:`user`,`content`:`hi`},"
                + "{`role`:`assistant`,`content`:null,`tool_calls`:[" + call(null, "read_file", "`{}`") + ","
                + call("  ", "grep", "`{}`") + "," + call("call_kept", "list_dir", "`{}`") + "]}]");

        Transformed out = apply(in);

        JsonNode calls = out.messages().get(1).get("tool_calls");
        assertThat(calls.get(0).get("id").asText()).matches("call_[A-Za-z0-9]{24}");
        assertThat(calls.get(1).get("id").asText()).matches("call_[A-Za-z0-9]{24}")
                .isNotEqualTo(calls.get(0).get("id").asText());
        assertThat(calls.get(2).get("id").asText()).isEqualTo("call_kept");
        assertThat(calls.get(2)).isSameAs(in.get(1).get("tool_calls").get(2));
        assertThat(out.messages().get(0)).isSameAs(in.get(0));
        assertThat(out.report().changed()).isEqualTo(2);
        assertThat(out.report().details().get("ids_added").asInt()).isEqualTo(2);
        // The same history gets the same ids on the next request.
        assertThat(repair.apply(in, CONTEXT).messages()).isEqualTo(out.messages());
    }

    @Test
    void linksTheOneUnansweredToolResultToTheOneNewId() throws Exception {
        ArrayNode in = messages("[{`role`:`assistant`,`tool_calls`:[" + call(null, "read_file", "`{}`") + "]},"
                + "{`role`:`tool`,`content`:`file text`},{`role`:`user`,`content`:`thanks`}]");

        Transformed out = apply(in);

        String id = out.messages().get(0).get("tool_calls").get(0).get("id").asText();
        assertThat(out.messages().get(1).get("tool_call_id").asText()).isEqualTo(id);
        assertThat(out.messages().get(1).get("content").asText()).isEqualTo("file text");
        assertThat(out.report().details().get("tool_results_linked").asInt()).isEqualTo(1);
    }

    @Test
    void doesNotGuessWhichResultAnswersWhichCall() throws Exception {
        ArrayNode in = messages("[{`role`:`assistant`,`tool_calls`:[" + call(null, "read_file", "`{}`") + ","
                + call("call_b", "grep", "`{}`") + "]},"
                + "{`role`:`tool`,`content`:`one`},{`role`:`tool`,`content`:`two`}]");

        Transformed out = apply(in);

        assertThat(out.messages().get(1)).isSameAs(in.get(1));
        assertThat(out.messages().get(2)).isSameAs(in.get(2));
        assertThat(out.report().details().get("tool_results_linked").asInt()).isZero();
    }

    @Test
    void serialisesObjectAndArrayArgumentsToJsonStrings() throws Exception {
        ArrayNode in = messages("[{`role`:`assistant`,`tool_calls`:["
                + call("c1", "read_file", "{`path`:`a.txt`,`lines`:[1,2]}") + ","
                + call("c2", "batch", "[1,2]") + "]}]");

        Transformed out = apply(in);

        JsonNode calls = out.messages().get(0).get("tool_calls");
        assertThat(calls.get(0).get("function").get("arguments").textValue())
                .isEqualTo("{\"path\":\"a.txt\",\"lines\":[1,2]}");
        assertThat(calls.get(1).get("function").get("arguments").textValue()).isEqualTo("[1,2]");
        assertThat(calls.get(0).get("function").get("name").asText()).isEqualTo("read_file");
        assertThat(out.report().details().get("arguments_serialised").asInt()).isEqualTo(2);
        assertThat(out.report().changed()).isEqualTo(2);
    }

    @Test
    void repairsMalformedArgumentStrings() throws Exception {
        ArrayNode in = messages("[{`role`:`assistant`,`tool_calls`:["
                + call("c1", "read_file", MAPPER.writeValueAsString("{'path': 'a.txt', recursive: True,}")) + ","
                + call("c2", "write_file", MAPPER.writeValueAsString("{\"path\": \"b.txt\", \"content\": \"abc")) + ","
                + call("c3", "grep", MAPPER.writeValueAsString("{\"pattern\": \"x\"}")) + "]}]");

        Transformed out = apply(in);

        JsonNode calls = out.messages().get(0).get("tool_calls");
        assertThat(calls.get(0).get("function").get("arguments").textValue())
                .isEqualTo("{\"path\":\"a.txt\",\"recursive\":true}");
        assertThat(calls.get(1).get("function").get("arguments").textValue())
                .isEqualTo("{\"path\":\"b.txt\",\"content\":\"abc\"}");
        assertThat(calls.get(2)).isSameAs(in.get(0).get("tool_calls").get(2));
        assertThat(out.report().details().get("arguments_repaired").asInt()).isEqualTo(2);
        assertThat(out.report().changed()).isEqualTo(2);
        assertThat(out.report().tokensBefore()).isEqualTo(COUNTER.countMessage(TokenEncoding.CL100K_BASE, in.get(0)));
        assertThat(out.report().tokensAfter())
                .isEqualTo(COUNTER.countMessage(TokenEncoding.CL100K_BASE, out.messages().get(0)));
    }

    @Test
    void blankArgumentsBecomeAnEmptyObject() throws Exception {
        ArrayNode in = messages("[{`role`:`assistant`,`tool_calls`:[" + call("c1", "now", "``") + "]}]");

        Transformed out = apply(in);

        assertThat(out.messages().get(0).get("tool_calls").get(0).get("function").get("arguments").textValue())
                .isEqualTo("{}");
    }

    @Test
    void leavesUnrepairableArgumentsExactlyAsTheyWere() throws Exception {
        String garbage = "I will now read the file for you.";
        ArrayNode in = messages("[{`role`:`assistant`,`tool_calls`:["
                + call("c1", "read_file", MAPPER.writeValueAsString(garbage)) + "]}]");

        Transformed out = apply(in);

        assertThat(out.messages()).isSameAs(in);
        assertThat(out.report().changed()).isZero();
        assertThat(out.report().details().get("arguments_unrepairable").asInt()).isEqualTo(1);
        assertThat(out.report().details().get("budget_exhausted").asBoolean()).isFalse();
    }

    @Test
    void anExhaustedBudgetLeavesMalformedArgumentsIntactButStillFixesTheRest() throws Exception {
        ToolCallRepair noBudget = new ToolCallRepair(new ToolRepairConfig(true, 1 << 20, Duration.ZERO), FROZEN);
        String malformed = "{'path': 'a.txt'}";
        ArrayNode in = messages("[{`role`:`assistant`,`tool_calls`:["
                + call(null, "read_file", MAPPER.writeValueAsString(malformed)) + ","
                + call("c2", "grep", "{`pattern`:`x`}") + "]}]");
        String before = in.toString();

        Transformed out = noBudget.apply(in, CONTEXT);

        assertThat(in.toString()).isEqualTo(before);
        JsonNode calls = out.messages().get(0).get("tool_calls");
        assertThat(calls.get(0).get("function").get("arguments").textValue()).isEqualTo(malformed);
        assertThat(calls.get(0).get("id").asText()).startsWith("call_");
        assertThat(calls.get(1).get("function").get("arguments").textValue()).isEqualTo("{\"pattern\":\"x\"}");
        assertThat(out.report().details().get("budget_exhausted").asBoolean()).isTrue();
        assertThat(out.report().details().get("arguments_unrepairable").asInt()).isEqualTo(1);
        assertThat(out.report().details().get("arguments_repaired").asInt()).isZero();
    }

    @Test
    void leavesArgumentsOverTheSizeCapAlone() throws Exception {
        ToolCallRepair small = new ToolCallRepair(new ToolRepairConfig(true, 16, Duration.ofSeconds(1)), FROZEN);
        String malformed = "{'path': 'a-rather-long-file-name.txt'}";
        ArrayNode in = messages("[{`role`:`assistant`,`tool_calls`:["
                + call("c1", "read_file", MAPPER.writeValueAsString(malformed)) + "]}]");

        Transformed out = small.apply(in, CONTEXT);

        assertThat(out.messages()).isSameAs(in);
        assertThat(out.report().changed()).isZero();
    }

    @Test
    void capCountsUtf8BytesNotCharacters() throws Exception {
        String accents = "{'a': '" + "é".repeat(10) + "'}"; // 19 characters, 29 UTF-8 bytes
        ArrayNode in = messages("[{`role`:`assistant`,`tool_calls`:["
                + call("c1", "f", MAPPER.writeValueAsString(accents)) + "]}]");

        assertThat(new ToolCallRepair(new ToolRepairConfig(true, 28, Duration.ofSeconds(1)), FROZEN).apply(in, CONTEXT)
                .messages()).isSameAs(in);
        assertThat(new ToolCallRepair(new ToolRepairConfig(true, 29, Duration.ofSeconds(1)), FROZEN).apply(in, CONTEXT)
                .report().changed()).isEqualTo(1);
    }

    @Test
    void repairsTheLegacyFunctionCall() throws Exception {
        ArrayNode in = messages("[{`role`:`assistant`,`content`:null,"
                + "`function_call`:{`name`:`get_weather`,`arguments`:`set below`}},"
                + "{`role`:`assistant`,`function_call`:{`name`:`f`,`arguments`:{`x`:1}}}]");
        ((ObjectNode) in.get(0).get("function_call")).put("arguments", "```json\n{\"city\": \"Paris\",}\n```");

        Transformed out = apply(in);

        assertThat(out.messages().get(0).get("function_call").get("arguments").textValue())
                .isEqualTo("{\"city\":\"Paris\"}");
        assertThat(out.messages().get(0).get("function_call").get("name").asText()).isEqualTo("get_weather");
        assertThat(out.messages().get(1).get("function_call").get("arguments").textValue()).isEqualTo("{\"x\":1}");
        assertThat(out.report().changed()).isEqualTo(2);
    }

    @Test
    void returnsTheSameInstanceWhenNothingNeedsRepair() throws Exception {
        ArrayNode in = messages("[{`role`:`system`,`content`:`be brief`},{`role`:`user`,`content`:`hi`},"
                + "{`role`:`assistant`,`tool_calls`:[" + call("c1", "f", "`{\\`a\\`: [1, 2]}`") + "]},"
                + "{`role`:`tool`,`tool_call_id`:`c1`,`content`:`ok`},"
                + "{`role`:`user`,`tool_calls`:[" + call(null, "f", "{`x`:1}") + "]}]");

        Transformed out = apply(in);

        assertThat(out.messages()).isSameAs(in);
        assertThat(out.report().changed()).isZero();
        assertThat(out.report().details().isEmpty()).isTrue();
    }

    @Test
    void keepsTheOtherFieldsOfChangedMessagesAndCalls() throws Exception {
        ArrayNode in = messages("[{`role`:`assistant`,`content`:`calling`,`name`:`bot`,`tool_calls`:["
                + "{`type`:`function`,`index`:0,`function`:{`name`:`f`,`arguments`:{`x`:1},`extra`:true}}]}]");

        JsonNode message = apply(in).messages().get(0);

        assertThat(message.get("content").asText()).isEqualTo("calling");
        assertThat(message.get("name").asText()).isEqualTo("bot");
        JsonNode call = message.get("tool_calls").get(0);
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.get("index").asInt()).isZero();
        assertThat(call.get("function").get("extra").asBoolean()).isTrue();
        assertThat(call.get("id").asText()).startsWith("call_");
    }

    @Test
    void ignoresMalformedShapes() throws Exception {
        ArrayNode in = messages("[`not an object`,{`role`:`assistant`,`tool_calls`:`nope`},"
                + "{`role`:`assistant`,`tool_calls`:[42,{`id`:`c`,`function`:`x`}]},"
                + "{`role`:`assistant`,`tool_calls`:[{`id`:`c2`,`function`:{`name`:`f`,`arguments`:7}}]}]");

        Transformed out = apply(in);

        assertThat(out.messages()).isSameAs(in);
        assertThat(out.report().changed()).isZero();
    }

    @Test
    void leavesAWellFormedToolHeavyConversationUntouched() {
        ArrayNode conversation = ToolHeavyConversation.messages(60, 42);

        Transformed out = apply(conversation);

        assertThat(out.messages()).isSameAs(conversation);
        assertThat(out.report().details().isEmpty()).isTrue();
    }
}
