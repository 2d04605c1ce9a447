package io.kimi.features.logs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

    private final List<String> lines = new ArrayList<>();

    @Test
    void aPartialLineWaitsForItsEnd() {
        LineSplitter splitter = new LineSplitter(1024);
        feed(splitter, "first\nsec");
        assertThat(lines).containsExactly("first");
        assertThat(splitter.hasPending()).isTrue();

        feed(splitter, "ond\r\nthird\n");
        assertThat(lines).containsExactly("first", "second", "third");
        assertThat(splitter.hasPending()).isFalse();
    }

    @Test
    void aMultiByteCharacterSplitAcrossReadsIsDecodedWhole() {
        LineSplitter splitter = new LineSplitter(1024);
        byte[] bytes = "café ✓\n".getBytes(StandardCharsets.UTF_8);
        int cut = 4; // inside the two bytes of é
        splitter.feed(Arrays.copyOfRange(bytes, 0, cut), 0, cut, lines::add);
        splitter.feed(Arrays.copyOfRange(bytes, cut, bytes.length), 0, bytes.length - cut, lines::add);

        assertThat(lines).containsExactly("café ✓");
    }

    @Test
    void linesOverTheLimitAreDroppedAndCounted() {
        LineSplitter splitter = new LineSplitter(10);
        feed(splitter, "short\n" + "x".repeat(8));
        feed(splitter, "y".repeat(8) + "\nafter\n");

        assertThat(lines).containsExactly("short", "after");
        assertThat(splitter.droppedLines()).isEqualTo(1);
    }

    @Test
    void finishCompletesTheLastLineAndResetDropsIt() {
        LineSplitter splitter = new LineSplitter(1024);
        feed(splitter, "unterminated");
        splitter.finish(lines::add);
        feed(splitter, "dropped");
        splitter.reset();
        feed(splitter, "kept\n");

        assertThat(lines).containsExactly("unterminated", "kept");
    }

    @Test
    void skippingToTheNextLineDropsTheFragment() {
        LineSplitter splitter = new LineSplitter(1024);
        splitter.skipToNextLine();
        feed(splitter, "end of a line we joined late\nwhole line\n");

        assertThat(lines).containsExactly("whole line");
    }

    private void feed(LineSplitter splitter, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        splitter.feed(bytes, 0, bytes.length, lines::add);
    }
}
