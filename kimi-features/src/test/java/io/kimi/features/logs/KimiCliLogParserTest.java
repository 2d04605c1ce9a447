package io.kimi.features.logs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.ServerJson;
import io.kimi.features.logs.LogFinding.Kind;
import io.kimi.features.logs.RecordingSink.Found;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class KimiCliLogParserTest {
    private static final ObjectMapper JSON = ServerJson.newMapper();


    @Test
    void readsTheFindingsOfARealisticKimiLog() {
        RecordingSink result = RecordingSink.parseFixture(new KimiCliLogParser(ZoneOffset.UTC, JSON), "kimi-cli.log");

        assertThat(result.found).hasSize(4);
        assertThat(result.found.get(0)).isEqualTo(new Found(Kind.LOGS, Instant.parse("2025-11-03T14:02:19.877Z"),
                "kimi-k2-turbo-preview", 1830 + 10240, 212, null));
        assertThat(result.found.get(1)).satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.ERROR);
            assertThat(f.timestamp()).isEqualTo(Instant.parse("2025-11-03T14:03:02.004Z"));
            assertThat(f.model()).isEqualTo("kimi-k2-turbo-preview");
            assertThat(f.message()).startsWith("rate limit: Error code: 429")
                    .contains("Bearer ****").doesNotContain("sk-live1234567890abcdef");
        });
        assertThat(result.found.get(2)).satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.ERROR);
            assertThat(f.message()).isEqualTo("context limit: Message exceeds context limit: 270001 > 262144");
        });
        assertThat(result.found.get(3)).isEqualTo(
                new Found(Kind.LOGS, null, "kimi-k2-turbo-preview", 12070, 0, null));
        assertThat(result.malformed).singleElement().asString().startsWith("unreadable time in: 2026-13-45");
    }

    @Test
    void localTimesAreReadInTheClockZone() {
        RecordingSink sink = new RecordingSink();
        new KimiCliLogParser(ZoneId.of("Europe/Paris"), JSON).line(
                "2025-11-03 14:03:02.004 | ERROR    | kimi_cli.app:run:1"
                + " - Request timed out.", sink);

        assertThat(sink.found).singleElement().satisfies(f -> {
            assertThat(f.timestamp()).isEqualTo(Instant.parse("2025-11-03T13:03:02.004Z"));
            assertThat(f.message()).isEqualTo("transport: Request timed out.");
        });
    }

    @Test
    void warningsAndTracebacksAreNotFindings() {
        RecordingSink sink = new RecordingSink();
        KimiCliLogParser parser = new KimiCliLogParser(ZoneOffset.UTC, JSON);
        parser.line("2025-11-03 14:02:30.004 | WARNING  | kimi_cli.soul.kimisoul:_retry_log:412 | s - "
                + "Retrying step", sink);
        parser.line("Traceback (most recent call last):", sink);
        parser.line("RuntimeError: 500 boom", sink);

        assertThat(sink.found).isEmpty();
        assertThat(sink.malformed).isEmpty();
    }

    @Test
    void aBrokenJsonLineIsMalformed() {
        RecordingSink sink = new RecordingSink();
        new KimiCliLogParser(ZoneOffset.UTC, JSON).line("{\"role\":\"_usage\",\"token_count\":", sink);

        assertThat(sink.found).isEmpty();
        assertThat(sink.malformed).singleElement().asString().startsWith("a line starting with { is not JSON");
    }
}
