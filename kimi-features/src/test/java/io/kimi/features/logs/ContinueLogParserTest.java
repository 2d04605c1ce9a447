package io.kimi.features.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.features.logs.LogFinding.Kind;
import io.kimi.features.logs.RecordingSink.Found;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ContinueLogParserTest {

    private final ContinueLogParser parser = new ContinueLogParser();
    private final RecordingSink sink = new RecordingSink();

    @Test
    void readsTheFindingsOfARealisticCoreLog() {
        RecordingSink result = RecordingSink.parseFixture(parser, "continue-core.log");

        assertThat(result.found).containsExactly(
                new Found(Kind.COMPILE_CHAT, Instant.parse("2025-03-01T10:15:02Z"), null, 5210 + 2930, 0,
                        "not enough context: contextLength 8192, counting safety buffer 163, tools ~5210, "
                                + "system message ~2930, max output tokens 4096"),
                new Found(Kind.ERROR, Instant.parse("2025-03-01T10:16:40Z"), null, 0, 0,
                        "HTTP 429 Too Many Requests from https://api.moonshot.ai/v1/chat/completions: Your account "
                                + "org-1 request reached TPM rate limit, current: 60123, limit: 60000"),
                new Found(Kind.LOGS, Instant.parse("2025-03-01T10:17:05Z"), "kimi-k2-turbo-preview", 812, 95, null),
                new Found(Kind.ERROR, Instant.parse("2025-03-01T10:17:30Z"), null, 0, 0,
                        "HTTP 401: Invalid Authentication"),
                new Found(Kind.ERROR, Instant.parse("2025-03-01T10:18:10Z"), null, 0, 0,
                        "stream error: upstream connection closed"));
        assertThat(result.malformed).singleElement().asString().startsWith("unreadable time in: [2025-13-01T10:18:05]");
    }

    @Test
    void aCompilationReportIsDeliveredAtItsLastLineWithoutWaiting() {
        parser.line("[2025-03-01T10:15:02] Error running handler for \"llm/compileChat\":  Error: Not enough"
                + " context", sink);
        parser.line("        Request had the following token counts:", sink);
        parser.line("        - contextLength: 4096", sink);
        parser.line("        - tools: ~100", sink);
        assertThat(sink.found).isEmpty();

        parser.line("        - system message: ~3000", sink);
        parser.line("        - max output tokens: 1024", sink);

        assertThat(sink.found).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.COMPILE_CHAT);
            assertThat(f.promptTokens()).isEqualTo(3100);
        });
    }

    @Test
    void anErrorEntryWaitsForItsBodyUntilTheNextEntryOrAFlush() {
        parser.line("[2025-03-01T10:16:40] Error: HTTP 500 Internal Server Error from "
                + "http://localhost:8766/v1/chat/completions", sink);
        parser.line("", sink);
        assertThat(sink.found).isEmpty();

        parser.line("{\"error\":{\"message\":\"upstream broke\"}}", sink);
        parser.flush(sink);

        assertThat(sink.found).singleElement().extracting(Found::message)
                .isEqualTo("HTTP 500 Internal Server Error from http://localhost:8766/v1/chat/completions: "
                        + "upstream broke");
    }

    @Test
    void usageInPlainTextIsReadWithEstimates() {
        parser.line("[2025-03-01T10:00:00] prompt tokens: ~1200, completion tokens: 34", sink);
        parser.flush(sink);

        assertThat(sink.found).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.LOGS);
            assertThat(f.promptTokens()).isEqualTo(1200);
            assertThat(f.completionTokens()).isEqualTo(34);
        });
    }

    @Test
    void aBareTokenCountIsNotAFinding() {
        parser.line("[2025-03-01T10:00:00] Tokens: 5000", sink);
        parser.flush(sink);
        assertThat(sink.found).isEmpty();
        assertThat(sink.malformed).isEmpty();
    }

    @Test
    void aCompilationReportWithoutCountsIsMalformed() {
        parser.line("[2025-03-01T10:00:00] Request had the following token counts:", sink);
        parser.line("        - nothing useful", sink);
        parser.flush(sink);

        assertThat(sink.found).isEmpty();
        assertThat(sink.malformed).containsExactly("chat compilation report without token counts");
    }

    @Test
    void aCountTooLargeIsMalformed() {
        parser.line("[2025-03-01T10:00:00] {\"usage\":{\"prompt_tokens\":99999999999,\"completion_tokens\":1}}", sink);
        parser.flush(sink);

        assertThat(sink.found).isEmpty();
        assertThat(sink.malformed).singleElement().asString().startsWith("token count out of range");
    }

    @Test
    void secretsNeverReachTheMessage() {
        parser.line("[2025-03-01T10:00:00] Error: 401 invalid api_key=sk-1234567890abcdefgh for Bearer "
                + "abcdef123456", sink);
        parser.flush(sink);

        assertThat(sink.found).singleElement().extracting(Found::message).asString()
                .doesNotContain("1234567890abcdefgh").doesNotContain("abcdef123456").contains("****");
    }
}
