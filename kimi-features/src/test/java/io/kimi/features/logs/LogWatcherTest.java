package io.kimi.features.logs;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.LogSourceConfig;
import io.kimi.config.LogsConfig;
import io.kimi.core.ServerJson;
import io.kimi.features.logs.LogFinding.Kind;
import io.kimi.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LogWatcherTest {
    private static final ObjectMapper JSON = ServerJson.newMapper();

    private static final String MODEL_LINE = "2025-11-03 14:02:11.532 | INFO     | kimi_cli.app:create:93 | s - "
            + "Using LLM model: provider='moonshot' model='kimi-k2' max_context_size=262144\n";

    private final MutableClock clock = new MutableClock(Instant.parse("2025-11-03T15:00:00Z"));
    private final List<LogFinding> findings = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    private LogWatcher watcher;

    @AfterEach
    void tearDown() {
        if (watcher != null) {
            watcher.close();
        }
    }

    @Test
    void fromTheEndOnlyLinesAppendedAfterStartAreFound() throws IOException {
        Path log = dir.resolve("kimi.log");
        append(log, usage(1, 100, 10) + usage(2, 200, 20));
        watcher = watcher(source("kimi", log, "kimi_cli", false));

        watcher.pollOnce();
        assertThat(findings).isEmpty();

        append(log, usage(3, 300, 30));
        watcher.pollOnce();

        assertThat(findings).extracting(LogFinding::promptTokens).containsExactly(300);
        assertThat(findings.get(0).timestamp()).isEqualTo(Instant.parse("2025-11-03T14:00:03Z"));
    }

    @Test
    void fromTheStartWhatTheFileHoldsIsFound() throws IOException {
        Path log = dir.resolve("kimi.log");
        append(log, MODEL_LINE + usage(1, 100, 10) + usage(2, 200, 20));
        watcher = watcher(source("kimi", log, "kimi_cli", true));

        watcher.pollOnce();

        assertThat(findings).extracting(LogFinding::promptTokens, LogFinding::completionTokens)
                .containsExactly(Tuple.tuple(100, 10),
                        Tuple.tuple(200, 20));
        assertThat(findings).allSatisfy(f -> {
            assertThat(f.source()).isEqualTo("kimi");
            assertThat(f.kind()).isEqualTo(Kind.LOGS);
            assertThat(f.model()).isEqualTo("kimi-k2");
            assertThat(f.sessionId()).isEqualTo("session-1");
        });
    }

    @Test
    void startingInTheMiddleOfALineSkipsItsRest() throws IOException {
        Path log = dir.resolve("kimi.log");
        String line = usage(1, 100, 10);
        append(log, line.substring(0, 30));
        watcher = watcher(source("kimi", log, "kimi_cli", false));
        watcher.pollOnce();

        append(log, line.substring(30) + usage(2, 200, 20));
        watcher.pollOnce();

        assertThat(findings).extracting(LogFinding::promptTokens).containsExactly(200);
    }

    @Test
    void aPartialLineIsCompletedLater() throws IOException {
        Path log = dir.resolve("kimi.log");
        watcher = watcher(source("kimi", log, "kimi_cli", true));
        String line = usage(1, 100, 10);

        append(log, line.substring(0, 40));
        watcher.pollOnce();
        assertThat(findings).isEmpty();

        append(log, line.substring(40));
        watcher.pollOnce();
        assertThat(findings).extracting(LogFinding::promptTokens).containsExactly(100);
    }

    @Test
    void rotationReadsTheRestOfTheOldFileThenTheNewOneFromItsStart() throws IOException {
        Path log = dir.resolve("kimi.log");
        append(log, usage(1, 100, 10));
        watcher = watcher(source("kimi", log, "kimi_cli", true));
        watcher.pollOnce();

        String second = usage(2, 200, 20);
        append(log, second.substring(0, 25));
        Path rotated = dir.resolve("kimi.log.1");
        Files.move(log, rotated, StandardCopyOption.ATOMIC_MOVE);
        append(rotated, second.substring(25)); // the writer still had the old file open
        append(log, usage(3, 300, 30));
        watcher.pollOnce();

        assertThat(findings).extracting(LogFinding::promptTokens).containsExactly(100, 200, 300);
        assertThat(watcher.status().get(0).position()).isEqualTo(Files.size(log));
    }

    @Test
    void aFileDeletedAndCreatedAgainIsReadFromItsStart() throws IOException {
        Path log = dir.resolve("kimi.log");
        append(log, usage(1, 100, 10));
        watcher = watcher(source("kimi", log, "kimi_cli", true));
        watcher.pollOnce();

        Files.delete(log);
        watcher.pollOnce();
        assertThat(watcher.status().get(0).state()).isEqualTo("waiting");

        append(log, usage(2, 200, 20));
        watcher.pollOnce();

        assertThat(findings).extracting(LogFinding::promptTokens).containsExactly(100, 200);
        assertThat(watcher.status().get(0).state()).isEqualTo("tailing");
    }

    @Test
    void truncationRestartsFromTheStart() throws IOException {
        Path log = dir.resolve("kimi.log");
        append(log, usage(1, 100, 10) + usage(2, 200, 20));
        watcher = watcher(source("kimi", log, "kimi_cli", true));
        watcher.pollOnce();

        Files.writeString(log, usage(3, 300, 30)); // truncates, then writes less than before
        watcher.pollOnce();

        assertThat(findings).extracting(LogFinding::promptTokens).containsExactly(100, 200, 300);
        assertThat(watcher.status().get(0).position()).isEqualTo(Files.size(log));
    }

    @Test
    void aFileThatDoesNotExistYetIsWaitedForAndReadWhole() throws IOException {
        Path log = dir.resolve("later/kimi.log");
        watcher = watcher(source("kimi", log, "kimi_cli", false));
        watcher.pollOnce();

        LogSourceStatus waiting = watcher.status().get(0);
        assertThat(waiting.state()).isEqualTo("waiting");
        assertThat(waiting.position()).isZero();
        assertThat(waiting.lastError()).isNull();

        Files.createDirectories(log.getParent());
        append(log, usage(1, 100, 10));
        watcher.pollOnce();

        assertThat(findings).extracting(LogFinding::promptTokens).containsExactly(100);
        assertThat(watcher.status().get(0).state()).isEqualTo("tailing");
    }

    @Test
    void aMalformedLineIsIgnoredAndCounted() throws IOException {
        Path log = dir.resolve("kimi.log");
        watcher = watcher(source("kimi", log, "kimi_cli", true));
        append(log, "2026-13-45 99:99:99.999 | INFO     | kimi_cli.app:create:71 - broken clock\n"
                + "{\"role\":\"_usage\",\"token_count\":\n" + usage(1, 100, 10));

        watcher.pollOnce();

        assertThat(findings).extracting(LogFinding::promptTokens).containsExactly(100);
        assertThat(watcher.status().get(0).skippedLines()).isEqualTo(2);
    }

    @Test
    void statusReportsPositionFindingsAndTheLastFinding() throws IOException {
        Path log = dir.resolve("kimi.log");
        String content = usage(1, 100, 10) + usage(2, 200, 20);
        append(log, content);
        watcher = watcher(source("kimi", log, "kimi_cli", true));
        clock.advance(Duration.ofMinutes(1));

        watcher.pollOnce();

        assertThat(watcher.status()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("kimi");
            assertThat(s.path()).isEqualTo(log);
            assertThat(s.format()).isEqualTo("kimi_cli");
            assertThat(s.state()).isEqualTo("tailing");
            assertThat(s.position()).isEqualTo(content.length());
            assertThat(s.findings()).isEqualTo(2);
            assertThat(s.lastFindingAt()).isEqualTo(clock.instant());
            assertThat(s.lastError()).isNull();
            assertThat(s.skippedLines()).isZero();
        });
    }

    @Test
    void continueEntriesAreCompletedByTheNextEntryOrAQuietPoll() throws IOException {
        Path log = dir.resolve("core.log");
        watcher = watcher(source("continue", log, "continue", true));
        append(log, "[2025-03-01T10:16:40] Error running handler for \"llm/streamChat\":  Error: HTTP 429 Too Many"
                + " Requests from https://api.moonshot.ai/v1/chat/completions\n\n");
        watcher.pollOnce();
        assertThat(findings).isEmpty();

        append(log, "{\"error\":{\"message\":\"rate limited\"}}\n");
        watcher.pollOnce();
        assertThat(findings).isEmpty();

        watcher.pollOnce(); // nothing new: the entry is complete
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(Kind.ERROR);
            assertThat(f.message()).endsWith("/v1/chat/completions: rate limited");
            assertThat(f.timestamp()).isEqualTo(Instant.parse("2025-03-01T10:16:40Z"));
        });
    }

    @Test
    void readsTheContinueFixtureThroughTheWatcher() throws IOException {
        Path log = dir.resolve("core.log");
        Files.writeString(log, RecordingSink.fixture("continue-core.log"));
        watcher = watcher(source("continue", log, "continue", true));

        watcher.pollOnce();
        watcher.pollOnce();

        assertThat(findings).extracting(LogFinding::kind)
                .containsExactly(Kind.COMPILE_CHAT, Kind.ERROR, Kind.LOGS, Kind.ERROR, Kind.ERROR);
        assertThat(watcher.status().get(0).skippedLines()).isEqualTo(1);
    }

    @Test
    void anUnknownFormatIsAnErrorState() {
        watcher = watcher(source("odd", dir.resolve("x.log"), "syslog", true));
        watcher.pollOnce();

        assertThat(watcher.status()).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo("error");
            assertThat(s.lastError()).isEqualTo("unknown format 'syslog' (expected: continue, kimi_cli)");
        });
    }

    @Test
    void aDirectoryInsteadOfAFileIsAnErrorStateUntilFixed() throws IOException {
        Path log = Files.createDirectories(dir.resolve("kimi.log"));
        watcher = watcher(source("kimi", log, "kimi_cli", true));
        watcher.pollOnce();
        assertThat(watcher.status().get(0).state()).isEqualTo("error");
        assertThat(watcher.status().get(0).lastError()).isNotBlank();

        Files.delete(log);
        append(log, usage(1, 100, 10));
        watcher.pollOnce();
        assertThat(watcher.status().get(0).state()).isEqualTo("tailing");
        assertThat(watcher.status().get(0).lastError()).isNull();
        assertThat(findings).hasSize(1);
    }

    @Test
    void aFailingListenerDoesNotStopTheWatcher() throws IOException {
        Path log = dir.resolve("kimi.log");
        append(log, usage(1, 100, 10) + usage(2, 200, 20));
        List<Integer> seen = new CopyOnWriteArrayList<>();
        watcher = new LogWatcher(new LogsConfig(true, Duration.ofMillis(50),
                List.of(source("kimi", log, "kimi_cli", true))), clock, JSON, finding -> {
                    seen.add(finding.promptTokens());
                    throw new IllegalStateException("listener broke");
                });

        watcher.pollOnce();

        assertThat(seen).containsExactly(100, 200);
        assertThat(watcher.status().get(0).findings()).isEqualTo(2);
    }

    @Test
    void aDisabledWatcherStartsNoThreadAndSaysSo() {
        AtomicReference<Thread> made = new AtomicReference<>();
        watcher = new LogWatcher(new LogsConfig(false, Duration.ofMillis(50),
                List.of(source("kimi", dir.resolve("kimi.log"), "kimi_cli", true))), clock, JSON, findings::add,
                runnable -> {
                    Thread thread = new Thread(runnable);
                    made.set(thread);
                    return thread;
                });

        watcher.start();

        assertThat(made.get()).isNull();
        assertThat(watcher.status().get(0).state()).isEqualTo("disabled");
    }

    @Test
    void theBackgroundThreadIsANamedDaemonThatDeliversFindings() throws Exception {
        Path log = dir.resolve("kimi.log");
        CountDownLatch found = new CountDownLatch(1);
        AtomicReference<Thread> pollingThread = new AtomicReference<>();
        watcher = new LogWatcher(new LogsConfig(true, Duration.ofMillis(20),
                List.of(source("kimi", log, "kimi_cli", true))), clock, JSON, finding -> {
                    pollingThread.set(Thread.currentThread());
                    findings.add(finding);
                    found.countDown();
                });
        watcher.start();
        watcher.start(); // idempotent

        append(log, usage(1, 100, 10));

        assertThat(found.await(10, TimeUnit.SECONDS)).as("a finding within 10 s").isTrue();
        assertThat(pollingThread.get().getName()).isEqualTo("kimi-log-watcher");
        assertThat(pollingThread.get().isDaemon()).isTrue();
        watcher.close();
        pollingThread.get().join(TimeUnit.SECONDS.toMillis(10));
        assertThat(pollingThread.get().isAlive()).isFalse();
    }

    @Test
    void closeIsIdempotentAndStopsPolling() throws IOException {
        Path log = dir.resolve("kimi.log");
        watcher = watcher(source("kimi", log, "kimi_cli", true));
        watcher.close();
        watcher.close();

        append(log, usage(1, 100, 10));
        watcher.pollOnce();

        assertThat(findings).isEmpty();
        assertThatThrownBy(watcher::start).isInstanceOf(IllegalStateException.class);
    }

    // ---- helpers ----

    private LogWatcher watcher(LogSourceConfig... sources) {
        return new LogWatcher(new LogsConfig(true, Duration.ofMillis(50), List.of(sources)), clock, JSON,
                findings::add);
    }

    private static LogSourceConfig source(String name, Path path, String format, boolean fromStart) {
        return new LogSourceConfig(name, path, format, "session-1", fromStart);
    }

    /** A Kimi CLI step result logged at second {@code second} past 14:00 UTC. */
    private static String usage(int second, int prompt, int completion) {
        return String.format("2025-11-03 14:00:%02d.000 | DEBUG    | kimi_cli.soul.kimisoul:_step:276 | s - Got step "
                + "result: StepResult(usage=TokenUsage(input_other=%d, output=%d, input_cache_read=0, "
                + "input_cache_creation=0))%n", second, prompt, completion).replace(System.lineSeparator(), "\n");
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, CREATE, APPEND);
    }
}
