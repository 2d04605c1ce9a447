package io.kimi.features.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A parser sink that keeps what it is given; also feeds fixture files to parsers. */
final class RecordingSink implements LogParser.Sink {

    /** What a parser reported (without source and session, which the tailer adds). */
    record Found(LogFinding.Kind kind, Instant timestamp, String model, int promptTokens, int completionTokens,
            String message) {
    }

    final List<Found> found = new ArrayList<>();
    final List<String> malformed = new ArrayList<>();

    @Override
    public void found(LogFinding.Kind kind, Instant timestamp, String model, int promptTokens, int completionTokens,
            String message) {
        found.add(new Found(kind, timestamp, model, promptTokens, completionTokens, message));
    }

    @Override
    public void malformed(String reason) {
        malformed.add(reason);
    }

    /** Feeds every line of the test resource {@code /logs/<name>} to {@code parser}, then flushes it. */
    static RecordingSink parseFixture(LogParser parser, String name) {
        RecordingSink sink = new RecordingSink();
        for (String line : fixture(name).split("\n", -1)) {
            parser.line(line, sink);
        }
        parser.flush(sink);
        return sink;
    }

    static String fixture(String name) {
        try (InputStream in = RecordingSink.class.getResourceAsStream("/logs/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource /logs/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
