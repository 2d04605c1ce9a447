package io.kimi.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseEventsTest {

    // --- mayHoldUsage ---

    @ParameterizedTest
    @ValueSource(strings = {
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5}}\n\n",
        "data: {\"usage\" : {\"prompt_tokens\":5}}\n\n",
        "data: {\"usage\"\t:\t{}}\n\n",
        "data: {\"choices\":[{\"index\":0,\"usage\":{\"prompt_tokens\":5}}]}\n\n",
    })
    void mayHoldUsageWhenUsageIsFollowedByAnObject(String event) {
        assertThat(withBuffer(event, SseEvents::mayHoldUsage)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\n",
        "data: {\"usage\" : null}\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"the \\\"usage\\\" of {braces}\"}}]}\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"usage: {x}\"}}]}\n\n",
        "data: {\"usage\":[1]}\n\n",
        "data: {\"usage\":\"{}\"}\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"hello\"}}]}\n\n",
        "data: [DONE]\n\n",
        "",
        "\"usage\"",
        "\"usage\":",
    })
    void mayNotHoldUsageWithoutAnObjectAfterTheUsageKey(String event) {
        assertThat(withBuffer(event, SseEvents::mayHoldUsage)).isFalse();
    }

    @Test
    void mayHoldUsageLooksOnlyAtReadableBytesAndDoesNotMoveIndexes() {
        ByteBuf buf = Unpooled.copiedBuffer("data: {\"usage\":{}}\n\ndata: {\"x\":1}\n\n", UTF_8);
        try {
            int secondEvent = buf.toString(UTF_8).indexOf("data: {\"x\"");
            buf.readerIndex(secondEvent);

            assertThat(SseEvents.mayHoldUsage(buf)).isFalse();
            assertThat(buf.readerIndex()).isEqualTo(secondEvent);
            assertThat(buf.writerIndex()).isEqualTo(buf.capacity());

            buf.readerIndex(0);
            ByteBuf head = buf.slice(0, "data: {\"usage\":".length());
            assertThat(SseEvents.mayHoldUsage(head)).isFalse();
        } finally {
            assertThat(buf.release()).isTrue();
        }
    }

    @Test
    void mayHoldUsageFindsALaterUsageKeyAfterAnEarlierNullOne() {
        String event = "data: {\"usage\":null,\"x\":{\"usage\":{\"prompt_tokens\":1}}}\n\n";

        assertThat(withBuffer(event, SseEvents::mayHoldUsage)).isTrue();
    }

    // --- data ---

    @Test
    void dataOfASingleLine() {
        assertThat(SseEvents.data("data: {\"a\":1}\n\n")).isEqualTo("{\"a\":1}");
    }

    @Test
    void dataJoinsSeveralDataLinesWithNewlines() {
        assertThat(SseEvents.data("data: one\ndata: two\ndata: three\n\n")).isEqualTo("one\ntwo\nthree");
    }

    @Test
    void dataStripsExactlyOneLeadingSpace() {
        assertThat(SseEvents.data("data:  two spaces\n\n")).isEqualTo(" two spaces");
        assertThat(SseEvents.data("data:none\n\n")).isEqualTo("none");
        assertThat(SseEvents.data("data:\ttab\n\n")).isEqualTo("\ttab");
    }

    @Test
    void dataKeepsTrailingSpaces() {
        assertThat(SseEvents.data("data: x  \n\n")).isEqualTo("x  ");
    }

    @Test
    void dataIgnoresCommentLines() {
        assertThat(SseEvents.data(": ping\ndata: a\n:data: not data\ndata: b\n\n")).isEqualTo("a\nb");
    }

    @Test
    void dataIgnoresEventIdAndRetryFields() {
        assertThat(SseEvents.data("event: message\nid: 42\nretry: 3000\ndata: payload\n\n")).isEqualTo("payload");
    }

    @Test
    void dataIsNullWhenTheEventHasNoDataLine() {
        assertThat(SseEvents.data(": keep-alive\n\n")).isNull();
        assertThat(SseEvents.data("event: ping\n\n")).isNull();
        assertThat(SseEvents.data("")).isNull();
        assertThat(SseEvents.data("\n")).isNull();
    }

    @Test
    void dataOfAnEmptyDataLineIsEmpty() {
        assertThat(SseEvents.data("data:\n\n")).isEmpty();
        assertThat(SseEvents.data("data: \n\n")).isEmpty();
        assertThat(SseEvents.data("data:\ndata:\n\n")).isEqualTo("\n");
    }

    @Test
    void dataHandlesCrlfLineEnds() {
        assertThat(SseEvents.data("event: x\r\ndata: one\r\ndata: two\r\n\r\n")).isEqualTo("one\ntwo");
    }

    @Test
    void dataHandlesCrLineEnds() {
        assertThat(SseEvents.data("data: one\rdata: two\r\r")).isEqualTo("one\ntwo");
    }

    @Test
    void dataIgnoresALeadingLfLeftFromASplitCrlf() {
        assertThat(SseEvents.data("\ndata: [DONE]\r\n\r\n")).isEqualTo("[DONE]");
    }

    @Test
    void dataOfALastLineWithoutLineEnd() {
        assertThat(SseEvents.data("data: a\ndata: tail")).isEqualTo("a\ntail");
    }

    @Test
    void dataDoesNotTakeOtherFieldsStartingWithData() {
        assertThat(SseEvents.data("database: x\ndata: y\n\n")).isEqualTo("y");
    }

    @Test
    void dataOfABufferDecodesUtf8AndLeavesItsIndexes() {
        ByteBuf buf = Unpooled.copiedBuffer("data: {\"t\":\"é 日本 🎉\"}\r\n\r\n", UTF_8);
        try {
            int readable = buf.readableBytes();

            assertThat(SseEvents.data(buf)).isEqualTo("{\"t\":\"é 日本 🎉\"}");
            assertThat(buf.readerIndex()).isZero();
            assertThat(buf.readableBytes()).isEqualTo(readable);
        } finally {
            assertThat(buf.release()).isTrue();
        }
    }

    private static <T> T withBuffer(String event, Function<ByteBuf, T> f) {
        ByteBuf buf = Unpooled.copiedBuffer(event, UTF_8);
        try {
            return f.apply(buf);
        } finally {
            assertThat(buf.release()).isTrue();
        }
    }
}
