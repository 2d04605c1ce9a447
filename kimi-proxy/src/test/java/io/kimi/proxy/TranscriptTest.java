package io.kimi.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** What {@link Transcript} keeps of a reply for counting, and what it only counts. */
class TranscriptTest {
    @Test
    void aReplyUnderTheLimitIsKeptWhole() {
        Transcript body = new Transcript(100);
        body.appendBody(buf("{\"choices\":[]}"));
        assertThat(body.result()).satisfies(r -> {
            assertThat(new String(r.head(), UTF_8)).isEqualTo("{\"choices\":[]}");
            assertThat(r.tail()).isEmpty();
            assertThat(r.cut()).isFalse();
            assertThat(r.uncountedBytes()).isZero();
        });

        Transcript stream = new Transcript(100);
        stream.appendEvent(buf("data: 1\n\n"), false);
        stream.appendEvent(buf("data: 2\n\n"), false);
        assertThat(new String(stream.result().head(), UTF_8)).isEqualTo("data: 1\n\ndata: 2\n\n");
        assertThat(stream.result().uncountedBytes()).isZero();
    }

    @Test
    void aBodyOverTheLimitKeepsItsHeadAndItsTailAndCountsTheRest() {
        String reply = "{\"choices\":[{\"message\":{\"content\":\"" + "x".repeat(100_000) + "\"}}],"
                + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}";
        Transcript transcript = new Transcript(1_000);
        ByteBuf body = buf(reply);

        transcript.appendBody(body);

        ReplyTranscript r = transcript.result();
        assertThat(r.cut()).isTrue();
        assertThat(new String(r.head(), UTF_8)).isEqualTo(reply.substring(0, 1_000));
        assertThat(r.tail()).hasSize(Transcript.BODY_TAIL_BYTES);
        assertThat(new String(r.tail(), UTF_8)).isEqualTo(reply.substring(reply.length() - Transcript.BODY_TAIL_BYTES));
        assertThat(r.uncountedBytes()).isEqualTo(reply.length() - 1_000L);
        assertThat(body.readerIndex()).as("indexes not moved").isZero();
    }

    @Test
    void streamEventsAreKeptWholeUntilOneDoesNotFitAndOnlyTheLastUsageEventAfter() {
        Transcript transcript = new Transcript(20);
        transcript.appendEvent(buf("data: aaaaaaaa\n\n"), false); // 16 bytes: kept
        transcript.appendEvent(buf("data: bbbbbbbb\n\n"), false); // would make 32: counted only
        transcript.appendEvent(buf("data: c\n\n"), false); // fits, but the transcript is full: counted only
        transcript.appendEvent(buf("data: {\"usage\":1}\n\n"), true); // usage: kept aside
        transcript.appendEvent(buf("data: {\"usage\":2}\n\n"), true); // replaces it

        ReplyTranscript r = transcript.result();
        assertThat(new String(r.head(), UTF_8)).isEqualTo("data: aaaaaaaa\n\n");
        assertThat(new String(r.tail(), UTF_8)).isEqualTo("data: {\"usage\":2}\n\n");
        assertThat(r.cut()).isFalse();
        assertThat(r.uncountedBytes()).isEqualTo(16 + 9 + "data: {\"usage\":1}\n\n".length());
    }

    @Test
    void aHugeUsageEventPastTheLimitIsOnlyCounted() {
        Transcript transcript = new Transcript(0);
        String huge = "data: {\"usage\":{}, \"x\":\"" + "y".repeat(Transcript.BODY_TAIL_BYTES) + "\"}\n\n";
        transcript.appendEvent(buf(huge), true);

        assertThat(transcript.result().tail()).isEmpty();
        assertThat(transcript.result().uncountedBytes()).isEqualTo(huge.length());
    }

    private static ByteBuf buf(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(UTF_8));
    }
}
