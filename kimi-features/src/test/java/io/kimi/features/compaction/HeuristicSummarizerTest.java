package io.kimi.features.compaction;

import static io.kimi.features.compaction.Chat.assistant;
import static io.kimi.features.compaction.Chat.call;
import static io.kimi.features.compaction.Chat.system;
import static io.kimi.features.compaction.Chat.tool;
import static io.kimi.features.compaction.Chat.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeuristicSummarizerTest {
    private final HeuristicSummarizer summarizer = new HeuristicSummarizer();

    private static List<JsonNode> codingSession() {
        return List.of(
                user("Please fix the failing test in OrderService.\nHere is the stack trace: ..."),
                call("c1", "read_file", "{\"path\":\"src/main/java/OrderService.java\"}"),
                tool("c1", "public class OrderService {\n  ...\n}"),
                call("c2", "run_command", "{\"command\":\"mvn -q test\",\"cwd\":\"/repo\"}"),
                tool("c2", "Running OrderServiceTest\n"
                        + "java.lang.NullPointerException: customer is null\n"
                        + "\tat OrderService.total(OrderService.java:42)\n"
                        + "Tests run: 3, Failures: 1\nBUILD FAILED"),
                call("c3", "write_file", "{\"path\":\"src/main/java/OrderService.java\",\"content\":\"...\"}"),
                tool("c3", "ok"),
                call("c4", "run_command", "{\"command\":\"mvn -q test\",\"cwd\":\"/repo\"}"),
                tool("c4", "Running OrderServiceTest\n"
                        + "java.lang.NullPointerException: customer is null\n"
                        + "BUILD FAILED"),
                assistant("The NullPointerException came from a missing customer; I added a null check in"
                        + " OrderService.total and the tests pass now."),
                user("Thanks. Now add a test for the empty order."));
    }

    @Test
    void digestsAsksToolCallsFilesWrittenErrorsAndTheLastConclusion() {
        String digest = summarizer.summarize(codingSession(), new SummaryRequest("s1", "cmp_1")).join().text();

        assertThat(digest)
                .contains("User requests (2):")
                .contains("- Please fix the failing test in OrderService.")
                .contains("- Thanks. Now add a test for the empty order.")
                .doesNotContain("Here is the stack trace")
                .contains("Tool calls (4):")
                .contains("- read_file(path=src/main/java/OrderService.java)")
                .contains("- run_command(command=mvn -q test) ×2")
                .contains("Files written: src/main/java/OrderService.java")
                .contains("Errors seen (2 distinct):")
                .contains("- java.lang.NullPointerException: customer is null")
                .contains("- BUILD FAILED")
                .contains("Assistant's last conclusion: The NullPointerException came from a missing customer");
        // each error line once, though seen twice; source code that mentions exceptions is no error
        assertThat(digest.split("customer is null", -1)).hasSize(2);
        assertThat(digest).doesNotContain("\tat OrderService");
    }

    @Test
    void isDeterministicAndReportsItsMethod() {
        Summary first = summarizer.summarize(codingSession(), new SummaryRequest("s1", "cmp_1")).join();
        Summary second = summarizer.summarize(codingSession(), new SummaryRequest("s2", "cmp_2")).join();

        assertThat(first).isEqualTo(second);
        assertThat(first.method()).isEqualTo("heuristic");
    }

    @Test
    void staysWithinItsBoundOnAHugeConversation() {
        List<JsonNode> messages = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            messages.add(user("request " + i + " " + "x".repeat(1000)));
            messages.add(call("c" + i, "tool_" + i, "{\"path\":\"file" + i + ".txt\",\"command\":\"" + "y".repeat(500)
                    + "\"}"));
            messages.add(tool("c" + i, "z".repeat(1000) + "\njava.io.IOException: disk " + i + "\n"));
            messages.add(assistant("conclusion " + i));
        }

        String digest = summarizer.digest(messages);

        assertThat(digest.length()).isLessThanOrEqualTo(HeuristicSummarizer.DEFAULT_MAX_CHARS);
        assertThat(digest).contains("User requests (500):", "- … (490 more)", "- request 499",
                "Assistant's last conclusion: conclusion 499", "more distinct calls)",
                "Errors seen (500 distinct, the latest 8):", "- java.io.IOException: disk 499")
                .doesNotContain("disk 491\n");
        assertThat(new HeuristicSummarizer(300).digest(messages).length()).isLessThanOrEqualTo(300);
    }

    @Test
    void reportsErrorLinesOfLogsCompilersAndTestRunnersButNotSourceCode() {
        String output = String.join("\n",
                "import io.acme.StoreException;",
                "    throw new IllegalArgumentException(\"limit: \" + limit);",
                "} catch (TransientStoreException e) {",
                "public class ValidationError {",
                "[INFO] Tests run: 3, Failures: 0, Errors: 0",
                "[ERROR] Tests run: 4, Failures: 1, Errors: 0",
                "[ERROR] Please refer to /work/target/surefire-reports for the individual test results.",
                "Parser.java:12: error: ';' expected",
                "E       AssertionError: assert 2 == 3",
                "Traceback (most recent call last):",
                "Caused by: java.sql.SQLException: database is locked",
                "FAILED tests/test_export.py::test_csv - KeyError: 'total'");

        String digest = summarizer.digest(List.of(user("run it"), tool("c1", output)));

        assertThat(digest).contains("Errors seen (6 distinct):",
                "- [ERROR] Tests run: 4, Failures: 1, Errors: 0",
                "- Parser.java:12: error: ';' expected",
                "- E AssertionError: assert 2 == 3",
                "- Traceback (most recent call last):",
                "- Caused by: java.sql.SQLException: database is locked",
                "- FAILED tests/test_export.py::test_csv - KeyError: 'total'")
                .doesNotContain("import", "throw new", "catch", "ValidationError", "[INFO]", "Please refer");
    }

    @Test
    void carriesAnEarlierSummaryOver() {
        String earlier = SummaryMessage.content("cmp_0", 12, 3000, "User requests (1):\n- build the parser");

        String digest = summarizer.digest(List.of(system(earlier), user("now the lexer"), assistant("done")));

        assertThat(digest).startsWith("Earlier summary: User requests (1):\n- build the parser")
                .doesNotContain("[kimi-compaction")
                .contains("- now the lexer");
    }

    @Test
    void readsContentPartsObjectArgumentsAndMalformedArgumentsWithoutFailing() {
        ObjectNode parts = JsonNodeFactory.instance.objectNode().put("role", "user");
        parts.putArray("content").addObject().put("type", "text").put("text", "look at this image");
        ObjectNode objectArgs = call("c1", "edit_file", "{}");
        ((ObjectNode) objectArgs.path("tool_calls").get(0).path("function")).putObject("arguments")
                .put("file_path", "a.py");
        ObjectNode malformed = call("c2", "search", "{\"query\": \"unterminated");

        String digest = summarizer.digest(
                List.of(parts, objectArgs, malformed, JsonNodeFactory.instance.textNode("junk")));

        assertThat(digest).contains("- look at this image", "- edit_file(file_path=a.py)", "- search",
                "Files written: a.py");
    }

    @Test
    void saysSoWhenThereIsNothingToDigest() {
        assertThat(summarizer.digest(List.of(system("only instructions")))).contains("no user requests");
    }

    @Test
    void refusesATinyBound() {
        assertThatThrownBy(() -> new HeuristicSummarizer(10)).hasMessageContaining("maxChars: 10");
    }
}
