package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.kimi.core.ThrottledLog;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ThrottledLogTest {
    private static final String LOGGER = "io.kimi.api.ThrottledLogTest.sample";
    private final AtomicLong now = new AtomicLong(1_000);
    // qualified: Level is Logback's here, the level the captured lines carry
    private final ThrottledLog log = new ThrottledLog(LoggerFactory.getLogger(LOGGER), org.slf4j.event.Level.WARN,
            Duration.ofSeconds(10), now::get);

    @Test
    void theFirstLineIsWrittenAndLinesWithinTheIntervalAreCountedIntoTheNextOne() {
        try (LogCapture capture = new LogCapture(LOGGER, Level.WARN)) {
            log.log("refused {}", "a");
            now.addAndGet(Duration.ofSeconds(5).toNanos());
            log.log("refused {}", "b");
            log.log("refused {}", "c");
            now.addAndGet(Duration.ofSeconds(5).toNanos());
            log.log("refused {}", "d");
            now.addAndGet(Duration.ofSeconds(30).toNanos());
            log.log("refused {}", "e");

            assertThat(capture.messages()).containsExactly("refused a",
                    "refused d (and 2 more like it since the previous line)", "refused e");
        }
    }

    @Test
    void nothingIsWrittenNorCountedWhileTheLevelIsOff() {
        try (LogCapture capture = new LogCapture(LOGGER, Level.ERROR)) {
            log.log("refused {}", "a");
            log.log("refused {}", "b");

            assertThat(capture.messages()).isEmpty();
        }
        try (LogCapture capture = new LogCapture(LOGGER, Level.WARN)) {
            log.log("refused {}", "c");

            assertThat(capture.messages()).containsExactly("refused c");
        }
    }
}
