package io.kimi.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A print stream for an example to print to, whose text the test reads back (thread-safely) and waits on. */
final class PrintedOutput {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    synchronized String text() {
        stream.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Waits up to 10 s for {@code expected} to be printed; the failure shows what was printed. */
    void awaitPrinted(String expected) {
        await("\"" + expected + "\" printed").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(text()).contains(expected));
    }
}
