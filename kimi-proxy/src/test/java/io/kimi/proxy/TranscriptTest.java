package io.kimi.proxy;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** What accounting gets of a reply: bounded, whole events for streams, the tail where usage is. */
class TranscriptTest {

    @Test
    void aBodyWithinTheLimitIsKeptWhole() {
        Transcript t = new Transcript(100);
        ByteBuf body = buffer("{\"choices\":[]}");

        t.body(body);

        assertThat(new String(t.head(), UTF_8)).isEqualTo("{\"choices\":[]}");
        assertThat(t.tail()).isEmpty();
        assertThat(t.truncated()).isFalse();
        assertThat(body.readerIndex()).isZero();
        body.release();
    }

    @Test
    void aBodyOverTheLimitKeepsItsStartAndItsLastBytes() {
        byte[] bytes = new byte[3 * Transcript.TAIL_LIMIT];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        Transcript t = new Transcript(1000);

        t.body(Unpooled.wrappedBuffer(bytes));

        assertThat(t.head()).isEqualTo(Arrays.copyOf(bytes, 1000));
        assertThat(t.tail()).isEqualTo(Arrays.copyOfRange(bytes, bytes.length - Transcript.TAIL_LIMIT, bytes.length));
        assertThat(t.truncated()).isTrue();
    }

    @Test
    void aBodyJustOverTheLimitHasOnlyTheRestAsItsTail() {
        Transcript t = new Transcript(10);

        t.body(buffer("0123456789abc"));

        assertThat(new String(t.head(), UTF_8)).isEqualTo("0123456789");
        assertThat(new String(t.tail(), UTF_8)).isEqualTo("abc");
        assertThat(t.truncated()).isTrue();
    }

    @Test
    void streamEventsAreKeptWholeUntilOneDoesNotFitThenOnlyTheLatestUsageEvent() {
        Transcript t = new Transcript(30);

        t.event(buffer("data: {\"a\":1}\n\n"), false);
        t.event(buffer("data: {\"bb\":22}\n\n"), false);
        t.event(buffer("data: 3\n\n"), false);
        t.event(buffer("data: {\"usage\":{}}\n\n"), true);
        t.event(buffer("data: x\n\n"), false);
        t.event(buffer("data: {\"usage\":{\"prompt_tokens\":2}}\n\n"), true);
        t.event(buffer("data: [DONE]\n\n"), false);

        assertThat(new String(t.head(), UTF_8)).as("whole events only, in order").isEqualTo("data: {\"a\":1}\n\n");
        assertThat(new String(t.tail(), UTF_8)).isEqualTo("data: {\"usage\":{\"prompt_tokens\":2}}\n\n");
        assertThat(t.truncated()).isTrue();
    }

    @Test
    void aUsageEventWithinTheLimitStaysInTheHead() {
        Transcript t = new Transcript(1000);

        t.event(buffer("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":2}}\n\n"), true);
        t.event(buffer("data: [DONE]\n\n"), false);

        assertThat(new String(t.head(), UTF_8)).endsWith("data: [DONE]\n\n").contains("usage");
        assertThat(t.tail()).isEmpty();
        assertThat(t.truncated()).isFalse();
    }

    @Test
    void aUsageEventPastTheHeadLargerThanTheTailLimitIsNotKept() {
        Transcript t = new Transcript(0);

        t.event(Unpooled.wrappedBuffer(new byte[Transcript.TAIL_LIMIT + 1]), true);

        assertThat(t.head()).isEmpty();
        assertThat(t.tail()).isEmpty();
        assertThat(t.truncated()).isTrue();
    }

    @Test
    void keepingCopiesSoTheRelayedBufferCanBeReleasedAndReused() {
        Transcript t = new Transcript(100);
        ByteBuf event = buffer("data: {\"a\":1}\n\n");

        t.event(event, false);
        event.setByte(6, '!');
        event.release();

        assertThat(new String(t.head(), UTF_8)).isEqualTo("data: {\"a\":1}\n\n");
    }

    private static ByteBuf buffer(String s) {
        return Unpooled.copiedBuffer(s, UTF_8);
    }
}
