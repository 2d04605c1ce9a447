package io.kimi.features.compaction;

import static io.kimi.features.compaction.Chat.assistant;
import static io.kimi.features.compaction.Chat.call;
import static io.kimi.features.compaction.Chat.tool;
import static io.kimi.features.compaction.Chat.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.ServerJson;
import io.kimi.testing.FakeUpstream;
import io.kimi.testing.RecordedRequest;
import io.kimi.testing.Reply;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModelSummarizerTest {
    private static final ObjectMapper JSON = ServerJson.newMapper();
    private static final SummaryRequest REQUEST = new SummaryRequest("s1", "cmp_1");
    private static final List<JsonNode> MESSAGES = List.of(
            user("Fix the parser"),
            call("c1", "read_file", "{\"path\":\"Parser.java\"}"),
            tool("c1", "HEAD" + "x".repeat(10_000) + "TAIL"),
            assistant("The parser is fixed."));

    private final HeuristicSummarizer heuristic = new HeuristicSummarizer();
    private FakeUpstream proxy;

    @BeforeEach
    void start() {
        proxy = FakeUpstream.start();
    }

    @AfterEach
    void stop() {
        proxy.close();
    }

    private ModelSummarizer summarizer(Duration timeout) {
        return new ModelSummarizer(new LoopbackChatModel(proxy.port()), "kimi-summary", timeout, heuristic, JSON);
    }

    @Test
    void asksTheModelInItsOwnSession() throws Exception {
        proxy.enqueue(Reply.chatCompletion("  The user asked to fix Parser.java; it is fixed.  ", 900, 40));

        Summary summary = summarizer(Duration.ofSeconds(10)).summarize(MESSAGES, REQUEST).join();

        assertThat(summary).isEqualTo(new Summary("The user asked to fix Parser.java; it is fixed.", "model"));
        RecordedRequest seen = proxy.takeRequest(Duration.ofSeconds(5));
        assertThat(seen.method()).isEqualTo("POST");
        assertThat(seen.header("X-Session-Id")).isEqualTo("kimi-compaction");
        JsonNode body = seen.bodyAsJson();
        assertThat(body.path("model").asText()).isEqualTo("kimi-summary");
        assertThat(body.path("stream").asBoolean(true)).isFalse();
        assertThat(body.path("messages")).hasSize(2);
        assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
        String transcript = body.path("messages").get(1).path("content").asText();
        assertThat(transcript)
                .contains("[1] user: Fix the parser")
                .contains("-> calls read_file {\"path\":\"Parser.java\"}")
                .contains("[3] tool: HEAD", "TAIL", "characters omitted")
                .contains("[4] assistant: The parser is fixed.");
        assertThat(transcript.length()).isLessThan(5_000);
    }

    @Test
    void fallsBackToTheHeuristicOnAnErrorStatus() {
        proxy.enqueue(Reply.status(500, "upstream exploded"));

        Summary summary = summarizer(Duration.ofSeconds(10)).summarize(MESSAGES, REQUEST).join();

        assertThat(summary).isEqualTo(heuristic.summarize(MESSAGES, REQUEST).join());
        assertThat(summary.method()).isEqualTo("heuristic");
    }

    @Test
    void fallsBackToTheHeuristicWhenTheModelDoesNotAnswerInTime() {
        proxy.enqueue(Reply.hang());

        Summary summary = summarizer(Duration.ofMillis(300)).summarize(MESSAGES, REQUEST).join();

        assertThat(summary.method()).isEqualTo("heuristic");
        assertThat(summary.text()).contains("- Fix the parser");
    }

    @Test
    void fallsBackToTheHeuristicOnAnEmptyOrUnreadableReply() {
        proxy.enqueue(Reply.chatCompletion("   ", 10, 0), Reply.json(200, "<html>not json</html>"),
                Reply.json(200, "{\"choices\":[]}"));
        ModelSummarizer summarizer = summarizer(Duration.ofSeconds(10));

        for (int i = 0; i < 3; i++) {
            assertThat(summarizer.summarize(MESSAGES, REQUEST).join().method()).as("reply %d", i)
                    .isEqualTo("heuristic");
        }
    }

    @Test
    void fallsBackToTheHeuristicWhenTheCallCannotBeMade() {
        int port = proxy.port();
        proxy.close();
        ModelSummarizer summarizer = new ModelSummarizer(new LoopbackChatModel(port), "kimi-summary",
                Duration.ofSeconds(5), heuristic, JSON);

        assertThat(summarizer.summarize(MESSAGES, REQUEST).join().method()).isEqualTo("heuristic");
    }

    @Test
    void refusesABadConfiguration() {
        LoopbackChatModel chat = new LoopbackChatModel(1);
        assertThatThrownBy(() -> new ModelSummarizer(chat, " ", Duration.ofSeconds(1), heuristic, JSON))
                .hasMessageContaining("modelKey");
        assertThatThrownBy(() -> new ModelSummarizer(chat, "m", Duration.ZERO, heuristic, JSON))
                .hasMessageContaining("timeout: PT0S");
    }
}
