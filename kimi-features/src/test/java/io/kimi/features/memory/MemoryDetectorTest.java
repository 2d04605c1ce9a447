package io.kimi.features.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.MemoryConfig;
import io.kimi.core.MemoryUsage;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.features.FeatureReport;
import io.kimi.features.TransformContext;
import io.kimi.features.Transformed;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemoryDetectorTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final TokenCounter COUNTER = new TokenCounter(64L << 20);
    private static final TokenEncoding ENCODING = TokenEncoding.CL100K_BASE;
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final TransformContext CONTEXT =
            new TransformContext("s1", "r1", "gpt-4o", ENCODING, 128_000, COUNTER, NOW);

    private final MemoryDetector detector = new MemoryDetector(MemoryConfig.DEFAULT);

    private static int total(ArrayNode messages) {
        int total = 0;
        for (JsonNode m : messages) {
            total += COUNTER.countMessage(ENCODING, m);
        }
        return total;
    }

    private static int text(String s) {
        return COUNTER.countText(ENCODING, s);
    }

    private Transformed apply(ArrayNode messages) {
        String before = messages.toString();
        Transformed out = detector.apply(messages, CONTEXT);
        assertThat(messages.toString()).as("input must not be mutated").isEqualTo(before);
        assertThat(out.messages()).isSameAs(messages);
        assertThat(out.report().changed()).isZero();
        return out;
    }

    @Test
    void splitsThePromptIntoMemoryAndChatTokens() {
        String block = "<mcp-memory source=\"prefs\">\nThe user prefers tabs over spaces.\n</mcp-memory>";
        String recall = "@recall(project settings)";
        ArrayNode in = NODES.arrayNode();
        in.addObject().put("role", "system").put("content", "You are helpful.\n" + block);
        in.addObject().put("role", "user").put("content", "Format it " + recall + " please.");
        in.addObject().put("role", "assistant").putNull("content");

        FeatureReport report = apply(in).report();

        int memory = text(block) + text(recall);
        assertThat(report.details().get("memory_tokens").asInt()).isEqualTo(memory);
        assertThat(report.details().get("chat_tokens").asInt()).isEqualTo(total(in) - memory);
        assertThat(report.details().get("markers").asInt()).isEqualTo(2);
        assertThat(report.tokensBefore()).isEqualTo(total(in));
        assertThat(report.tokensAfter()).isEqualTo(total(in));
    }

    @Test
    void readsTextPartsAndSkipsOtherParts() {
        ArrayNode in = NODES.arrayNode();
        ObjectNode user = in.addObject().put("role", "user");
        ArrayNode parts = user.putArray("content");
        parts.addObject().put("type", "text").put("text", "see @memory[design notes]");
        parts.addObject().put("type", "image_url").putObject("image_url").put("url", "@memory[not text]");
        parts.add("@recall(raw string part)");

        FeatureReport report = apply(in).report();

        assertThat(report.details().get("markers").asInt()).isEqualTo(2);
        assertThat(report.details().get("memory_tokens").asInt())
                .isEqualTo(text("@memory[design notes]") + text("@recall(raw string part)"));
    }

    @Test
    void reportsZeroFiguresWhenThereIsNoMemory() {
        ArrayNode in = NODES.arrayNode();
        in.addObject().put("role", "user").put("content", "hello @bob, see <b>this</b>");
        in.add("not an object");

        FeatureReport report = apply(in).report();

        assertThat(report.details().get("memory_tokens").asInt()).isZero();
        assertThat(report.details().get("chat_tokens").asInt()).isEqualTo(total(NODES.arrayNode().add(in.get(0))));
        assertThat(report.details().get("markers").asInt()).isZero();
    }

    @Test
    void reportsEvenAnEmptyConversation() {
        FeatureReport report = apply(NODES.arrayNode()).report();

        assertThat(report.details().get("memory_tokens").asInt()).isZero();
        assertThat(report.details().get("chat_tokens").asInt()).isZero();
        assertThat(report.details().get("markers").asInt()).isZero();
    }

    @Test
    void neverReportsNegativeChatTokens() {
        // A message that is nothing but one marker: its memory tokens may exceed what the message counts
        // (a marker counted on its own can tokenize slightly differently), chat never goes below zero.
        ArrayNode in = NODES.arrayNode();
        in.addObject().put("role", "user").put("content", "@memory[" + "x ".repeat(500) + "]");

        FeatureReport report = apply(in).report();

        assertThat(report.details().get("chat_tokens").asInt()).isNotNegative();
        assertThat(report.details().get("memory_tokens").asInt() + report.details().get("chat_tokens").asInt())
                .isEqualTo(total(in));
    }

    @Test
    void givesTheSameFiguresOnRepeatedRequests() {
        ArrayNode in = NODES.arrayNode();
        in.addObject().put("role", "user").put("content", "@memory[a] and <mcp-memory>b</mcp-memory>");

        FeatureReport first = apply(in).report();
        FeatureReport second = apply(in).report();

        assertThat(second.details()).isEqualTo(first.details());
    }

    @Test
    void turnsItsReportIntoAMemoryUsageRecord() {
        ArrayNode in = NODES.arrayNode();
        in.addObject().put("role", "user").put("content", "@memory[a b c]");
        FeatureReport report = apply(in).report();

        MemoryUsage usage = MemoryDetector.toUsage(report, "s1", "r1", NOW);

        assertThat(usage).isEqualTo(new MemoryUsage("r1", "s1", NOW, report.details().get("memory_tokens").asInt(),
                report.details().get("chat_tokens").asInt(), 1));
        assertThatThrownBy(() -> MemoryDetector.toUsage(FeatureReport.none("memory"), "s1", "r1", NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemoryDetector.toUsage(FeatureReport.none("sanitizer"), "s1", "r1", NOW))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
